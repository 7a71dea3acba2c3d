import { describe, expect, it } from "vitest";
import { describeContentCopies, pathStation } from "./content-copies.js";

describe("content copies", () => {
  it("names the station of each path and flags one image under two stations", () => {
    expect(pathStation("แพร่/เขต1/หน่วย3/ส.ส.5-18.pdf")).toBe("แพร่ เขต 1 5/18 หน่วย 3");
    expect(pathStation("scans/IMG_0001.pdf")).toBe("?");
    const copies = describeContentCopies([
      { documentId: "a", paths: ["แพร่/เขต1/หน่วย3/ส.ส.5-18.pdf", "backup/แพร่/เขต1/หน่วย3/ส.ส.5-18.pdf"] },
      { documentId: "b", paths: ["แพร่/เขต1/หน่วย4/ส.ส.5-18.pdf", "แพร่/เขต1/หน่วย5/ส.ส.5-18.pdf"] },
      { documentId: "c", paths: ["only-one.pdf"] },
    ]);
    expect(copies.map((c) => [c.documentId, c.differentStations])).toEqual([
      ["b", true],
      ["a", false],
    ]);
  });
});
