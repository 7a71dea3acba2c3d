import { describe, expect, it } from "vitest";
import { inferPathMetadata, type PathMetadata } from "./path-metadata.js";

type Expected = { [K in keyof PathMetadata]?: NonNullable<PathMetadata[K]>["value"] | null };

function values(path: string): Expected {
  const meta = inferPathMetadata(path);
  return Object.fromEntries(Object.entries(meta).map(([key, field]) => [key, field?.value ?? null])) as Expected;
}

const REAL = "เขตเลือกตั้งที่ 1 จังหวัดแพร่/ล่วงหน้านอกเขตและนอกราชอาณาจักร/ชุดที่ 3/สส.5ทับ17(บช)ชุดที่3.pdf";

describe("inferPathMetadata", () => {
  it("reads the real Phrae folder layout and says where each value came from", () => {
    expect(inferPathMetadata(REAL)).toEqual({
      province: { value: "แพร่", source: "เขตเลือกตั้งที่ 1 จังหวัดแพร่" },
      constituency: { value: 1, source: "เขตเลือกตั้งที่ 1 จังหวัดแพร่" },
      district: null,
      subdistrict: null,
      unit: null,
      setNumber: { value: 3, source: "สส.5ทับ17(บช)ชุดที่3.pdf" },
      formCode: { value: "5/17", source: "สส.5ทับ17(บช)ชุดที่3.pdf" },
      formKind: { value: "party_list", source: "สส.5ทับ17(บช)ชุดที่3.pdf" },
    });
  });

  it("gives the same answer for the NFD spelling macOS writes, with NFC sources", () => {
    const nfd = REAL.normalize("NFD");
    expect(inferPathMetadata(nfd)).toEqual(inferPathMetadata(REAL));
  });

  const cases: readonly (readonly [string, Expected])[] = [
    [
      "เขตเลือกตั้งที่ 1 จังหวัดแพร่/ล่วงหน้านอกเขตและนอกราชอาณาจักร/ชุดที่ 5/สส.5ทับ17ชุดที่5.pdf",
      { province: "แพร่", constituency: 1, setNumber: 5, formCode: "5/17", formKind: "constituency" },
    ],
    ["/scans/จ.แพร่/เขต 2/หน่วยเลือกตั้งที่ 5/ส.ส.5-18.pdf", { province: "แพร่", constituency: 2, unit: 5, formCode: "5/18" }],
    ["C:\\scans\\Phrae\\เขต1\\หน่วยที่ 12\\สส5-18 บช.jpg", { province: "แพร่", constituency: 1, unit: 12, formKind: "party_list" }],
    ["จังหวัดเชียงใหม่/เขต ๓/อำเภอเมือง/ตำบลศรีภูมิ/หน่วย ๗/5_18.pdf", { constituency: 3, district: "เมือง", subdistrict: "ศรีภูมิ", unit: 7 }],
    ["แพร่/อ.เมือง ต.ในเวียง/หน่วย 3 ส.ส. ๕ ทับ ๑๘ (บช).png", { province: "แพร่", district: "เมือง", subdistrict: "ในเวียง", formCode: "5/18" }],
    [
      "จ.แพร่อ.เมืองแพร่ต.ในเวียง/5ทับ16 บัญชีรายชื่อ.pdf",
      { province: "แพร่", district: "เมืองแพร่", subdistrict: "ในเวียง", formCode: "5/16", formKind: "party_list" },
    ],
    ["Chiang Mai/constituency-3/unit_12/5-18.pdf", { province: "เชียงใหม่", constituency: 3, unit: 12, formCode: "5/18" }],
    [
      "กรุงเทพมหานคร/เขตเลือกตั้งที่ 10/แบ่งเขต/ชุด 2.pdf",
      { province: "กรุงเทพมหานคร", constituency: 10, setNumber: 2, formKind: "constituency", formCode: null },
    ],
    ["ขอนแก่น เขต 4/ล่วงหน้าในเขต/สส.5ทับ16 ชุดที่ 11.pdf", { province: "ขอนแก่น", constituency: 4, setNumber: 11, formCode: "5/16" }],
    ["นอกเขต 3/file.pdf", { constituency: null }],
    ["pages/bch_page-4.png", { formKind: "party_list", formCode: null }],
    ["batch/page-1.png", { formKind: null }],
    ["scan001.pdf", { province: null, constituency: null, unit: null, setNumber: null, formCode: null, formKind: null }],
    ["2569-05-16/scan.pdf", { formCode: null }],
    ["เขต 1/ชุดที่ 2/ชุดที่ 4.pdf", { setNumber: 4 }],
    ["เขต 1/เขต 2 สส5-17.pdf", { constituency: 1 }],
    ["docs/สส.5ทับ17ชุดที่3.pdf", { province: null, formCode: "5/17", setNumber: 3 }],
  ];
  it.each(cases)("%s", (path, expected) => {
    expect(values(path)).toMatchObject(expected);
  });

  it("does not read the form code ส.ส. as the province abbreviation สส", () => {
    expect(inferPathMetadata("สส/สส.5ทับ18.pdf").province).toBeNull();
  });
});
