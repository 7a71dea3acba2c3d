import { describe, expect, it } from "vitest";
import { findProvinceByName, PROVINCES } from "./provinces.js";

describe("PROVINCES", () => {
  it("lists the 77 provinces with unique Thai and English names", () => {
    expect(PROVINCES).toHaveLength(77);
    expect(new Set(PROVINCES.map((p) => p.thai)).size).toBe(77);
    expect(new Set(PROVINCES.map((p) => p.english.toLowerCase())).size).toBe(77);
  });

  it("gives every name and abbreviation to exactly one province", () => {
    const owners = new Map<string, string>();
    for (const province of PROVINCES) {
      for (const name of [province.thai, province.english, ...province.abbreviations]) {
        expect(findProvinceByName(name)?.thai, name).toBe(province.thai);
        const key = name.toLowerCase().replace(/\s/g, "");
        expect(owners.get(key) ?? province.thai, name).toBe(province.thai);
        owners.set(key, province.thai);
      }
    }
  });

  it("stores names in NFC", () => {
    for (const province of PROVINCES) expect(province.thai).toBe(province.thai.normalize("NFC"));
  });
});

describe("findProvinceByName", () => {
  it.each([
    ["แพร่", "แพร่"],
    ["จังหวัดแพร่", "แพร่"],
    ["จ.แพร่", "แพร่"],
    ["จ. แพร่", "แพร่"],
    ["Phrae", "แพร่"],
    ["PHRAE", "แพร่"],
    ["พร", "แพร่"],
    ["กรุงเทพมหานคร", "กรุงเทพมหานคร"],
    ["กทม", "กรุงเทพมหานคร"],
    ["กทม.", "กรุงเทพมหานคร"],
    ["กรุงเทพฯ", "กรุงเทพมหานคร"],
    ["กรุงเทพ", "กรุงเทพมหานคร"],
    ["Bangkok", "กรุงเทพมหานคร"],
    ["Chiang Mai", "เชียงใหม่"],
    ["chiangmai", "เชียงใหม่"],
    ["Chonburi", "ชลบุรี"],
    ["Ayutthaya", "พระนครศรีอยุธยา"],
    ["ร้อยเอ็ด", "ร้อยเอ็ด"],
    ["จังหวัดอุบลราชธานี".normalize("NFD"), "อุบลราชธานี"],
  ])("%s → %s", (text, thai) => {
    expect(findProvinceByName(text)?.thai).toBe(thai);
  });

  it("does not match loosely", () => {
    expect(findProvinceByName("แพ")).toBeNull();
    expect(findProvinceByName("เชียง")).toBeNull();
    expect(findProvinceByName("")).toBeNull();
    expect(findProvinceByName("จังหวัด")).toBeNull();
  });

  it("can leave out the short abbreviations", () => {
    expect(findProvinceByName("สส", { abbreviations: false })).toBeNull();
    expect(findProvinceByName("สส")?.thai).toBe("สมุทรสงคราม");
    expect(findProvinceByName("Phrae", { abbreviations: false })?.thai).toBe("แพร่");
  });
});
