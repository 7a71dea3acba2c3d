import { createWriteStream } from "node:fs";
import { replaceFile } from "../../basics/atomic-file.js";
import { once } from "node:events";
import PDFDocument from "pdfkit";
import type { ThaiFonts } from "./thai-fonts.js";
import { wrapThai } from "./thai-text.js";

/**
 * Text shaping (see ECOSYSTEM.md §10). fontkit's default features must stay on: with `ccmp` off,
 * Waree's tone marks drift left of their consonant (seen in renders). But with `ccmp` on,
 * fontkit decomposes sara am (ำ) and pdfkit's text layer then maps the shared glyphs to the
 * wrong characters ("อ้ เภอ"). So ำ is decomposed here, before shaping, into nikhahit + sara aa
 * (its Unicode compatibility decomposition): it renders the same, and the text layer reads
 * "ํา", which NFKD-normalised search and tests treat as ำ.
 */
export function pdfSafeText(text: string): string {
  return pdfSafeLine(wrapThai(text));
}

/** pdfSafeText for text that is never wrapped (chart labels): sara am decomposed, no break marks. */
export function pdfSafeLine(text: string): string {
  return text.replace(/\u0e33/g, "\u0e4d\u0e32");
}

/** Every Thai code point except sara am, which pdfSafeText never lets through. */
const THAI_CHARACTERS = Array.from({ length: 0x0e5b - 0x0e01 + 1 }, (_, i) => String.fromCodePoint(0x0e01 + i)).filter(
  (c) => c !== "\u0e33" && /\p{L}|\p{M}|\p{N}|\p{P}|\p{Sc}/u.test(c),
);
const UPPER_VOWELS = ["\u0e31", "\u0e34", "\u0e35", "\u0e36", "\u0e37", "\u0e47"];
const LOWER_VOWELS = ["\u0e38", "\u0e39", "\u0e3a"];
const TONE_MARKS = ["\u0e48", "\u0e49", "\u0e4a", "\u0e4b", "\u0e4c", "\u0e4d"];
/** A plain consonant, tall ones (marks shift left) and ones that lose their descender. */
const BASES = ["ก", "ป", "ฝ", "ฟ", "ฬ", "ฐ", "ญ", "ฎ", "ฏ"];

/**
 * Texts that make the font produce each glyph, simplest context first: every character alone,
 * then every base with one mark, then the stacks.
 */
const PRIMING_TEXTS = [
  ...THAI_CHARACTERS,
  ...BASES.flatMap((b) => [...UPPER_VOWELS, ...LOWER_VOWELS, ...TONE_MARKS].map((m) => b + m)),
  ...BASES.flatMap((b) => [...UPPER_VOWELS, ...LOWER_VOWELS].flatMap((v) => TONE_MARKS.map((t) => b + v + t))),
];

/**
 * pdfkit's text layer (ToUnicode) keeps, for each glyph, the characters of the FIRST time it was
 * drawn, and fontkit caches each glyph with the characters of the context that first produced
 * it. In a reordering context the two go wrong: after "ผู้", Waree's lowered tone mark (ู+้
 * reordered) was recorded as "ู", so every later ้ read "ู" ("รูอยละ", "ใชู"). Encoding the
 * simple contexts first pins every glyph, variants included, to its own character. This uses
 * pdfkit's internal font object; if that ever changes, only the text layer degrades.
 */
function primeTextLayer(doc: PDFKit.PDFDocument): void {
  const font = (doc as unknown as { _font?: { encode?: (text: string, features?: unknown) => unknown } })._font;
  if (typeof font?.encode !== "function") return;
  for (const text of PRIMING_TEXTS) font.encode(text);
}

export const COLORS = {
  text: "#222222",
  muted: "#666666",
  rule: "#bbbbbb",
  header: "#e8eef6",
  zebra: "#f6f6f6",
  verified: "#2e7d32",
  needs_review: "#ef8a00",
  failed: "#c62828",
  critical: "#c62828",
  major: "#ef8a00",
  minor: "#7a7a7a",
} as const;

export interface TableColumn {
  readonly header: string;
  /** Share of the content width. */
  readonly width: number;
  readonly align?: "left" | "right" | "center";
}

export interface TableOptions {
  readonly fontSize?: number;
  /** Text colour per row (e.g. by status). */
  readonly rowColor?: (rowIndex: number) => string | undefined;
}

type Doc = PDFKit.PDFDocument;

/** A small layer over pdfkit: Thai-safe text, headings, tables that break across pages. */
export class PdfReport {
  readonly doc: Doc;
  private readonly margin = 40;

  constructor(
    readonly fonts: ThaiFonts,
    info: { title: string; subject?: string },
  ) {
    this.doc = new PDFDocument({
      size: "A4",
      // The larger bottom margin keeps pdfkit's own page breaks clear of the footer.
      margins: { top: this.margin, left: this.margin, right: this.margin, bottom: this.margin + 22 },
      bufferPages: true,
      info: { Title: info.title, Subject: info.subject ?? "", Creator: "ballot-ocr", Producer: "ballot-ocr (pdfkit)" },
    });
    this.doc.registerFont("thai", fonts.regular);
    this.doc.registerFont("thai-bold", fonts.bold);
    for (const font of ["thai-bold", "thai"]) {
      this.doc.font(font);
      primeTextLayer(this.doc);
    }
    this.doc.fontSize(10).fillColor(COLORS.text);
  }

  get left(): number {
    return this.margin;
  }
  get width(): number {
    return this.doc.page.width - 2 * this.margin;
  }
  get bottom(): number {
    return this.doc.page.height - this.margin - 22;
  }

  /** Start a new page when less than `height` points are left. */
  ensureSpace(height: number): void {
    if (this.doc.y + height > this.bottom) this.doc.addPage();
  }

  text(
    content: string,
    options: {
      size?: number;
      bold?: boolean;
      color?: string;
      align?: "left" | "right" | "center";
      x?: number;
      width?: number;
      gap?: number;
    } = {},
  ): this {
    const { doc } = this;
    doc
      .font(options.bold ? "thai-bold" : "thai")
      .fontSize(options.size ?? 10)
      .fillColor(options.color ?? COLORS.text);
    doc.text(pdfSafeText(content), options.x ?? this.left, doc.y, {
      width: options.width ?? this.width,
      align: options.align ?? "left",
      paragraphGap: options.gap ?? 2,
    });
    return this;
  }

  heading(content: string, level: 1 | 2 | 3 = 2): this {
    const size = level === 1 ? 18 : level === 2 ? 13 : 11;
    // Keep a heading with the start of what follows it.
    this.ensureSpace(size * 2 + 70);
    if (level > 1) this.doc.moveDown(0.4);
    this.text(content, { size, bold: true, gap: level === 1 ? 4 : 3 });
    return this;
  }

  /** Label–value lines in two columns. */
  facts(pairs: readonly (readonly [string, string])[], options: { size?: number; labelWidth?: number } = {}): this {
    const labelWidth = options.labelWidth ?? 150;
    const size = options.size ?? 10;
    for (const [label, value] of pairs) {
      const height = Math.max(this.measure(label, labelWidth - 8, size), this.measure(value, this.width - labelWidth, size));
      this.ensureSpace(height);
      const top = this.doc.y;
      this.text(label, { size, color: COLORS.muted, width: labelWidth - 8, gap: 0 });
      this.doc.y = top;
      this.text(value, { size, x: this.left + labelWidth, width: this.width - labelWidth, gap: 0 });
      this.doc.y = top + height + 2;
    }
    return this;
  }

  measure(content: string, width: number, size: number, bold = false): number {
    this.doc.font(bold ? "thai-bold" : "thai").fontSize(size);
    return this.doc.heightOfString(pdfSafeText(content), { width });
  }

  table(columns: readonly TableColumn[], rows: readonly (readonly string[])[], options: TableOptions = {}): this {
    const size = options.fontSize ?? 9;
    const pad = 3;
    const total = columns.reduce((s, c) => s + c.width, 0);
    const widths = columns.map((c) => (c.width / total) * this.width);
    const drawRow = (cells: readonly string[], header: boolean, index: number): void => {
      const heights = cells.map((cell, i) => this.measure(cell, widths[i]! - 2 * pad, size, header));
      const height = Math.max(size + 2, ...heights) + 2 * pad;
      if (this.doc.y + height > this.bottom) {
        this.doc.addPage();
        if (!header)
          drawRow(
            columns.map((c) => c.header),
            true,
            -1,
          );
      }
      const top = this.doc.y;
      if (header) this.doc.rect(this.left, top, this.width, height).fill(COLORS.header);
      else if (index % 2 === 1) this.doc.rect(this.left, top, this.width, height).fill(COLORS.zebra);
      let x = this.left;
      cells.forEach((cell, i) => {
        this.doc.y = top + pad;
        this.text(cell, {
          size,
          bold: header,
          x: x + pad,
          width: widths[i]! - 2 * pad,
          align: columns[i]?.align ?? "left",
          color: header ? COLORS.text : (options.rowColor?.(index) ?? COLORS.text),
          gap: 0,
        });
        x += widths[i]!;
      });
      this.doc
        .moveTo(this.left, top + height)
        .lineTo(this.left + this.width, top + height)
        .lineWidth(0.5)
        .strokeColor(COLORS.rule)
        .stroke();
      this.doc.y = top + height;
    };
    this.ensureSpace(60);
    drawRow(
      columns.map((c) => c.header),
      true,
      -1,
    );
    for (const [i, row] of rows.entries()) drawRow(row, false, i);
    this.doc.moveDown(0.5);
    return this;
  }

  /** Footer on every page: a label and "page i / n". Call once, after all content. */
  footer(label: string): this {
    const range = this.doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      this.doc.switchToPage(i);
      const y = this.doc.page.height - this.margin - 8;
      // Writing inside the bottom margin must not trigger an automatic page break.
      const bottomMargin = this.doc.page.margins.bottom;
      this.doc.page.margins.bottom = 0;
      this.doc.font("thai").fontSize(8).fillColor(COLORS.muted);
      this.doc.text(pdfSafeText(label), this.left, y, { width: this.width - 80, lineBreak: false });
      this.doc.text(`${i + 1 - range.start} / ${range.count}`, this.left + this.width - 80, y, {
        width: 80,
        align: "right",
        lineBreak: false,
      });
      this.doc.page.margins.bottom = bottomMargin;
    }
    return this;
  }

  /** Writes the PDF through a temporary file renamed over `path`: a crash never leaves half a PDF. */
  async save(path: string): Promise<void> {
    await replaceFile(path, async (temporary) => {
      const stream = createWriteStream(temporary, { flags: "wx" });
      this.doc.pipe(stream);
      this.doc.end();
      await once(stream, "finish");
    });
  }

  pageCount(): number {
    return this.doc.bufferedPageRange().count;
  }
}
