/**
 * CSV as Excel and LibreOffice open it with Thai text: UTF-8 with a byte-order mark (without it
 * Excel assumes the ANSI code page and shows mojibake), RFC 4180 quoting, CRLF line ends (the
 * RFC's record separator; both programs also read LF, but CRLF keeps quoted newlines unambiguous).
 */
export const CSV_BOM = "\ufeff";
export const CSV_LINE_END = "\r\n";

export type CsvValue = string | number | boolean | null | undefined;

/**
 * Text that a spreadsheet would run as a formula gets a leading quote: a start of =, +, -, @,
 * tab or CR ("-1+HYPERLINK(…)" is a formula in Excel and LibreOffice). A lone "-" (how a dash
 * cell's digits are written) cannot be one and stays as it is.
 */
const FORMULA_START = /^(?:[=+@\t\r]|-.)/s;

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "boolean") return value ? "true" : "false";
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRow(values: readonly CsvValue[]): string {
  return values.map(csvField).join(",") + CSV_LINE_END;
}

/** Parse RFC 4180 text (used by tests and by anyone re-reading our exports). */
export function parseCsv(text: string): string[][] {
  const source = text.startsWith(CSV_BOM) ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (quoted) {
      if (char === '"' && source[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      row.push(field);
      field = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && source[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += char;
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
