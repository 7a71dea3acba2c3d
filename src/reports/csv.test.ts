import { describe, expect, it } from "vitest";
import { CSV_BOM, csvField, csvRow, parseCsv } from "./csv.js";

describe("csv", () => {
  it("quotes per RFC 4180 and keeps Thai as is", () => {
    expect(csvField("แพร่")).toBe("แพร่");
    expect(csvField('โดม "อเนกประสงค์", วท.แพร่')).toBe('"โดม ""อเนกประสงค์"", วท.แพร่"');
    expect(csvField("บรรทัด\nใหม่")).toBe('"บรรทัด\nใหม่"');
    expect(csvField(" นำหน้า")).toBe('" นำหน้า"');
    expect(csvField(null)).toBe("");
    expect(csvField(0)).toBe("0");
    expect(csvField("-")).toBe("-");
    expect(csvField("=SUM(A1)")).toBe("'=SUM(A1)");
    expect(csvRow(["a", 1, null, true])).toBe("a,1,,true\r\n");
  });

  it("round-trips through the parser", () => {
    const rows = [["หนึ่ง", 'สอง "2"', "สาม,3", "สี่\r\nห้า", ""]];
    const text = CSV_BOM + rows.map((r) => csvRow(r)).join("");
    expect(parseCsv(text)).toEqual(rows);
  });
});
