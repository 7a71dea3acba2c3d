import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseThaiNumber, readNumberText } from "./thai-number.js";
import { formatThaiNumber } from "./thai-number-format.js";

describe("parseThaiNumber round-trips formatThaiNumber", () => {
  it("over 0..9,999,999", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9_999_999 }), (n) => parseThaiNumber(formatThaiNumber(n)) === n),
      { numRuns: 5000 },
    );
  });

  it("on small numbers exhaustively (0..2,000)", () => {
    for (let n = 0; n <= 2000; n++) expect(parseThaiNumber(formatThaiNumber(n))).toBe(n);
  });

  it("on place boundaries", () => {
    for (let power = 0; power <= 7; power++) {
      for (const n of [10 ** power - 1, 10 ** power, 10 ** power + 1, 2 * 10 ** power + 1]) {
        expect(parseThaiNumber(formatThaiNumber(n))).toBe(n);
      }
    }
  });

  it("above ten million", () => {
    fc.assert(
      fc.property(fc.integer({ min: 10_000_000, max: 2 ** 48 }), (n) => parseThaiNumber(formatThaiNumber(n)) === n),
      { numRuns: 1000 },
    );
  });

  it("with the suffixes and spacing seen on real forms", () => {
    const decorated = fc.tuple(
      fc.integer({ min: 0, max: 9_999_999 }),
      fc.constantFrom("", "บัตร", "คะแนน", "ถ้วน", "บัตรถ้วน"),
      fc.constantFrom("", " ", "(", "."),
    );
    fc.assert(
      fc.property(decorated, ([n, suffix, around]) => {
        const text = `${around}${formatThaiNumber(n)}${suffix}${around === "(" ? ")" : around}`;
        return parseThaiNumber(text) === n;
      }),
    );
  });

  it("on Arabic and Thai digit strings", () => {
    const thai = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCharCode(0x0e50 + Number(d)));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999 }), (n) => {
        const grouped = n.toLocaleString("en-US");
        return parseThaiNumber(String(n)) === n && parseThaiNumber(thai(String(n))) === n && parseThaiNumber(grouped) === n;
      }),
    );
  });
});

describe("parseThaiNumber on tricky real-world spellings", () => {
  const nfd = (s: string) => s.normalize("NFD");
  const cases: readonly (readonly [string, number | null])[] = [
    ["หกร้อยสิบสี่บัตร", 614],
    ["หนึ่งถ้วน", 1],
    ["ศูนย์คะแนน", 0],
    ["ศูนย์", 0],
    ["ศุนย์", 0],
    ["ศุนย์คะแนน", 0],
    ["หนึ่งร้อยแปด", 108],
    ["ร้อยแปด", 108],
    ["ร้อยเอ็ด", 101],
    ["ร้อยหนึ่ง", 101],
    ["หนึ่งร้อยเอ็ด", 101],
    ["สิบ", 10],
    ["สิบเอ็ด", 11],
    ["ยี่สิบ", 20],
    ["ยี่สิบเอ็ด", 21],
    ["สามสิบหก", 36],
    ["สี่ร้อยยี่สิบสี่", 424],
    ["เจ็ดบัตรถ้วน", 7],
    ["ห้าสิบสี่คะแนน", 54],
    ["หนึ่งพันสองร้อยสามสิบสี่", 1234],
    ["พันห้าร้อย", 1500],
    ["สองหมื่นหนึ่ง", 20_001],
    ["หนึ่งแสน", 100_000],
    ["หนึ่งล้าน", 1_000_000],
    ["สิบล้าน", 10_000_000],
    ["สองล้านห้าแสนเอ็ด", 2_500_001],
    ["หนึ่งร้อยล้าน", 100_000_000],
    // A bare ล้าน is one million, as a bare ร้อย or แสน is one of it.
    ["ล้าน", 1_000_000],
    ["ล้านห้าแสน", 1_500_000],
    ["ล้านเอ็ด", 1_000_001],
    ["แสน", 100_000],
    [" หก ร้อย สิบ สี่ ", 614],
    ["หกร้อย.สิบสี่.", 614],
    ["(หกร้อยสิบสี่)", 614],
    [nfd("ศูนย์"), 0],
    [nfd("สี่ร้อยยี่สิบสี่บัตรถ้วน"), 424],
    ["614", 614],
    ["๖๑๔", 614],
    ["๖1๔", 614],
    ["1,234", 1234],
    ["๑,๒๓๔", 1234],
    ["0", 0],
    ["614 บัตร", 614],
    ["-", 0],
    ["–", 0],
    ["—", 0],
    ["−", 0],
    ["( - )", 0],
    ["", null],
    ["   ", null],
    ["สองสอง", null],
    ["ร้อยร้อย", null],
    ["abc", null],
    ["12ab", null],
    ["12.5", null],
    ["1,23", null],
    ["ยี่", null],
    ["เอ็ด", null],
    ["สองสิบ", null],
    ["บัตร", null],
    ["หกร้อยสิบสี่เจ็ด", null],
    ["-5", null],
    ["6 ร้อย", null],
  ];
  it.each(cases)("%j → %j", (text, expected) => {
    expect(parseThaiNumber(text)).toBe(expected);
  });
});

describe("readNumberText", () => {
  it("keeps a dash as a dash worth zero", () => {
    expect(readNumberText("-")).toEqual({ mark: "dash", value: 0 });
    expect(readNumberText(" – ")).toEqual({ mark: "dash", value: 0 });
  });
  it("treats empty text as blank, never zero", () => {
    expect(readNumberText(null)).toEqual({ mark: "blank", value: null });
    expect(readNumberText("")).toEqual({ mark: "blank", value: null });
    expect(readNumberText(" ( ) ")).toEqual({ mark: "blank", value: null });
  });
  it("marks text that is not a number as illegible", () => {
    expect(readNumberText("หม่า??")).toEqual({ mark: "illegible", value: null });
  });
  it("reads numbers in digits or words", () => {
    expect(readNumberText("๑๒")).toEqual({ mark: "digits", value: 12 });
    expect(readNumberText("ศูนย์")).toEqual({ mark: "digits", value: 0 });
  });
});
