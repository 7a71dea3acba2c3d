import { type SKRSContext2D, createCanvas, GlobalFonts } from "@napi-rs/canvas";
import { formLayout } from "../forms/form-kind.js";
import type { NumberCell } from "../forms/form-result.js";
import { arabicDigitsToThai } from "../forms/thai-digits.js";
import {
  breakdownLines,
  CHAIR_ROLE,
  CHAIR_ROLE_5_18,
  committeeName,
  copiesNote,
  copyHeader,
  formBoxLabel,
  MEMBER_ROLE,
  MEMBER_ROLE_5_18,
  noVoteLabel,
  REMARKS_LINE,
  TABLE_HEADERS,
  title,
  TOTAL_LINE,
} from "./form-wording.js";
import { choosePen, handwrite, type Pen, scribbleSignature } from "./handwriting.js";
import type { Rng } from "./rng.js";
import type { SynthForm } from "./truth.js";
import { THAI_MONTHS } from "./vocabulary.js";

/** Layout unit: px at 150 dpi on an A4 sheet. */
const PAGE_WIDTH = 1240;
const PAGE_HEIGHT = 1754;
const LEFT = 100;
const BODY_SIZE = 24;

export interface RenderOptions {
  /** Output resolution; the layout is drawn at 150 dpi and scaled. */
  readonly dpi: number;
  /** Draw the "สแกนด้วย CamScanner" footer that scanning apps add. */
  readonly scannerFooter: boolean;
}

/** A rendered page: opaque RGBA pixels. */
export interface RawPage {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
}

const PRINT_FAMILY = GlobalFonts.has("Laksaman") ? "Laksaman" : "Garuda";

export function pageCount(form: SynthForm): number {
  return formLayout(form.formKind).length;
}

/** Everything one page drawing needs. */
class Sheet {
  readonly pen: Pen;
  readonly namePen: Pen;
  constructor(
    readonly ctx: SKRSContext2D,
    readonly rng: Rng,
    readonly form: SynthForm,
    pens: Rng,
  ) {
    this.pen = choosePen(pens, 40);
    this.namePen = pens.chance(0.6) ? { ...this.pen, size: this.pen.size * 0.85 } : choosePen(pens, 34);
  }

  print(
    text: string,
    x: number,
    y: number,
    opts: { size?: number; bold?: boolean; align?: "left" | "center" | "right"; maxWidth?: number } = {},
  ): number {
    const { ctx } = this;
    const font = (size: number): string => `${opts.bold ? "bold " : ""}${size}px "${PRINT_FAMILY}"`;
    let size = opts.size ?? BODY_SIZE;
    ctx.font = font(size);
    let width = ctx.measureText(text).width;
    if (opts.maxWidth !== undefined && width > opts.maxWidth) {
      size *= opts.maxWidth / width;
      ctx.font = font(size);
      width = ctx.measureText(text).width;
    }
    ctx.fillStyle = "#101010";
    ctx.strokeStyle = "#101010";
    ctx.lineWidth = 0.45;
    const left = opts.align === "center" ? x - width / 2 : opts.align === "right" ? x - width : x;
    ctx.fillText(text, left, y);
    // Photocopied print is heavier than the font's outline.
    ctx.strokeText(text, left, y);
    return left + width;
  }

  dots(x: number, y: number, width: number): void {
    const { ctx } = this;
    ctx.font = `${BODY_SIZE}px "${PRINT_FAMILY}"`;
    ctx.fillStyle = "#1d1d1d";
    const dot = ctx.measureText(".").width;
    const count = Math.max(1, Math.floor(width / dot));
    ctx.fillText(".".repeat(count), x, y);
  }

  line(x1: number, y1: number, x2: number, y2: number, width = 1.6): void {
    const { ctx } = this;
    ctx.strokeStyle = "#1d1d1d";
    ctx.lineWidth = width;
    ctx.beginPath();
    ctx.moveTo(x1, y1);
    ctx.lineTo(x2, y2);
    ctx.stroke();
  }

  /** Hand-written text sitting on a dotted field that starts at x. */
  write(text: string | null, x: number, y: number, width: number, pen: Pen = this.pen): void {
    if (text === null || text === "") return;
    const offset = this.rng.real(4, Math.max(6, width * 0.25));
    handwrite(this.ctx, text, x + offset, y - this.rng.real(3, 9), pen, this.rng, Math.max(20, width - offset));
  }

  /**
   * A printed line made of text and dotted fields; fields get their hand-written value.
   * Returns the x where the line ends.
   */
  flow(x: number, y: number, parts: readonly (string | { width: number; value: string | null; pen?: Pen })[]): number {
    let cursor = x;
    for (const part of parts) {
      if (typeof part === "string") {
        cursor = this.print(part, cursor, y);
      } else {
        this.dots(cursor, y, part.width);
        this.write(part.value, cursor, y, part.width, part.pen);
        cursor += part.width;
      }
    }
    return cursor;
  }

  /** "digits … unit (words)" as on the total lines. */
  numberLine(label: string, x: number, labelWidth: number, y: number, cell: NumberCell | null, unit: string, withWords = true): void {
    const labelEnd = this.print(label, x, y);
    const digitsX = Math.max(x + labelWidth, labelEnd + 8);
    this.dots(digitsX, y, 105);
    this.writeCell(cell, digitsX, y, 105, "digits");
    let cursor = this.print(` ${unit}`, digitsX + 105, y);
    if (!withWords) return;
    cursor = this.print(" (", cursor, y);
    const wordsWidth = 1075 - cursor;
    this.dots(cursor, y, wordsWidth);
    this.writeCell(cell, cursor, y, wordsWidth, "words");
    this.print(")", cursor + wordsWidth, y);
  }

  writeCell(cell: NumberCell | null, x: number, y: number, width: number, part: "digits" | "words"): void {
    if (cell === null || cell.mark === "blank" || cell.mark === "illegible") return;
    const text = part === "digits" ? cell.digits : cell.words;
    if (text === "-") {
      const mid = x + width * this.rng.real(0.2, 0.5);
      const { ctx } = this;
      ctx.strokeStyle = this.pen.ink;
      ctx.lineWidth = 2.4;
      ctx.beginPath();
      ctx.moveTo(mid, y - 10 + this.rng.real(-2, 2));
      ctx.lineTo(mid + this.rng.real(16, 30), y - 10 + this.rng.real(-3, 3));
      ctx.stroke();
      return;
    }
    this.write(text, x, y, width);
  }

  box(x1: number, y1: number, x2: number, y2: number): void {
    this.ctx.strokeStyle = "#1d1d1d";
    this.ctx.lineWidth = 2;
    this.ctx.strokeRect(x1, y1, x2 - x1, y2 - y1);
  }
}

function drawEmblem(sheet: Sheet, cx: number, top: number): void {
  const { ctx } = sheet;
  ctx.save();
  ctx.fillStyle = "#262626";
  ctx.strokeStyle = "#262626";
  ctx.lineWidth = 2;
  ctx.lineJoin = "round";
  // Crown spire and head.
  ctx.beginPath();
  ctx.moveTo(cx, top);
  ctx.lineTo(cx - 9, top + 30);
  ctx.lineTo(cx + 9, top + 30);
  ctx.closePath();
  ctx.fill();
  ctx.beginPath();
  ctx.arc(cx, top + 40, 12, 0, Math.PI * 2);
  ctx.fill();
  // Raised wings: layered feather shapes on each side.
  for (const side of [-1, 1]) {
    for (let layer = 0; layer < 3; layer++) {
      ctx.beginPath();
      ctx.moveTo(cx + side * 12, top + 62 + layer * 10);
      ctx.bezierCurveTo(
        cx + side * 35,
        top + 20 + layer * 14,
        cx + side * 60,
        top + 8 + layer * 16,
        cx + side * (72 - layer * 6),
        top + 22 + layer * 18,
      );
      for (let f = 0; f < 5; f++) {
        const fx = cx + side * (70 - layer * 6 - f * 11);
        const fy = top + 30 + layer * 18 + f * 7;
        ctx.lineTo(fx + side * 3, fy + 12);
        ctx.lineTo(fx - side * 6, fy + 6);
      }
      ctx.closePath();
      ctx.globalAlpha = layer === 1 ? 0.75 : 1;
      ctx.fill();
      ctx.globalAlpha = 1;
    }
  }
  // Body, arms held up, legs and the base.
  ctx.beginPath();
  ctx.ellipse(cx, top + 86, 17, 30, 0, 0, Math.PI * 2);
  ctx.fill();
  ctx.lineWidth = 4;
  ctx.beginPath();
  ctx.moveTo(cx - 14, top + 70);
  ctx.lineTo(cx - 30, top + 52);
  ctx.moveTo(cx + 14, top + 70);
  ctx.lineTo(cx + 30, top + 52);
  ctx.moveTo(cx - 10, top + 112);
  ctx.lineTo(cx - 26, top + 132);
  ctx.lineTo(cx - 40, top + 134);
  ctx.moveTo(cx + 10, top + 112);
  ctx.lineTo(cx + 26, top + 132);
  ctx.lineTo(cx + 40, top + 134);
  ctx.stroke();
  ctx.beginPath();
  ctx.moveTo(cx - 18, top + 112);
  ctx.quadraticCurveTo(cx, top + 150, cx + 18, top + 112);
  ctx.fill();
  ctx.restore();
}

/** Copy header, page number and the form-code boxes at the top of every page. */
function drawPageTop(sheet: Sheet, pageIndex: number): void {
  const { form } = sheet;
  sheet.print(copyHeader(form.formCode, form.formKind), 1135, 62, { bold: true, size: 25, align: "right" });
  if (pageIndex > 1) sheet.print(`- ${arabicDigitsToThai(String(pageIndex))} -`, PAGE_WIDTH / 2, 96, { align: "center", size: 24 });
  const label = formBoxLabel(form.formCode, form.formKind);
  sheet.ctx.font = `24px "${PRINT_FAMILY}"`;
  const labelWidth = sheet.ctx.measureText(label).width;
  sheet.box(1133 - labelWidth - 26, 84, 1133, 134);
  sheet.print(label, 1133 - 13, 117, { size: 24, align: "right" });
  sheet.box(1025, 146, 1140, 196);
  sheet.print("สีขาว", 1082, 180, { bold: true, size: 26, align: "center" });
}

function drawFooter(sheet: Sheet, pageIndex: number, scannerFooter: boolean): void {
  const tag = sheet.form.formCode === "5/18" ? "สส-หน่วย" : sheet.form.formCode === "5/17" ? "สส-กนศ นอกเขต" : "สส-กนศ ในเขต";
  sheet.print(`- ${19 + pageIndex} - ${tag}-`, PAGE_WIDTH / 2, 1712, { size: 20, align: "center" });
  if (scannerFooter) sheet.print("สแกนด้วย CamScanner", 1205, 1738, { size: 22, align: "right" });
}

function headerValue(sheet: Sheet, value: number | null): string | null {
  if (value === null) return null;
  return sheet.form.digitStyle.thaiDigits ? arabicDigitsToThai(String(value)) : String(value);
}

/** Header, paragraph and totals of page 1. Returns the y where the vote table starts. */
function drawFirstPageHead(sheet: Sheet): number {
  const { form } = sheet;
  const loc = form.location;
  drawEmblem(sheet, 620, 82);
  sheet.print(title(form.formCode, form.formKind), 620, 283, { bold: true, size: 27, align: "center" });
  const province = loc.province;
  const constituency = headerValue(sheet, loc.constituency);
  const setNumber = form.setNumberBlank ? null : headerValue(sheet, loc.setNumber);
  let y = 323;
  /** Moves down to the next printed line. */
  const next = (step: number): number => {
    y += step;
    return y;
  };
  if (form.formCode === "5/18") {
    sheet.flow(140, y, [
      "ที่เลือกตั้ง หน่วยเลือกตั้งที่",
      { width: 70, value: headerValue(sheet, loc.unit) },
      "ตำบล/แขวง",
      { width: 200, value: loc.subdistrict },
      "อำเภอ/เขต",
      { width: 210, value: loc.district },
    ]);
    y += 40;
    sheet.flow(230, y, [
      "จังหวัด",
      { width: 260, value: province },
      "เขตเลือกตั้งที่",
      { width: 80, value: constituency },
      "ณ",
      { width: 260, value: loc.countingPlace },
    ]);
  } else {
    sheet.flow(185, y, [
      "ณ สถานที่นับคะแนน",
      { width: 390, value: loc.countingPlace },
      " เขตเลือกตั้งที่",
      { width: 70, value: constituency },
      " จังหวัด",
      { width: 160, value: province },
    ]);
  }
  y += 40;
  sheet.print("-------------------------", 620, y, { align: "center", size: 22 });
  y += 42;
  const t = form.totals;
  const committee = committeeName(form.formCode);
  if (form.formCode === "5/17") {
    sheet.flow(250, y, [`${committee} ชุดที่`, { width: 60, value: setNumber }]);
    sheet.flow(LEFT - 25, next(42), [
      "เขตเลือกตั้งที่",
      { width: 50, value: constituency },
      "จังหวัด",
      { width: 90, value: province },
      " ได้รับซองใส่บัตรเลือกตั้งจาก บริษัท ไปรษณีย์ไทย จำกัด หรือผู้แทนหน่วยงาน หรือ",
    ]);
    sheet.flow(LEFT - 25, next(42), [
      "องค์กรที่คณะกรรมการการเลือกตั้งมอบหมาย จำนวน",
      { width: 105, value: t.envelopes?.digits ?? null },
      " ซอง และได้ตรวจนับจำนวนบัตรเลือกตั้งในซอง",
    ]);
    sheet.flow(LEFT - 25, next(42), [
      "ใส่บัตรเลือกตั้งแล้ว มีจำนวน",
      { width: 90, value: t.ballotsInEnvelopes?.digits ?? null },
      " บัตร จึงได้ดำเนินการนับคะแนนบัตรเลือกตั้งนอกเขตเลือกตั้ง",
    ]);
    sheet.print("และนอกราชอาณาจักรเสร็จเรียบร้อยแล้ว ขอรายงานผลการนับคะแนน ดังนี้", LEFT - 25, next(42));
  } else if (form.formCode === "5/16") {
    sheet.flow(250, y, [`${committee} ชุดที่`, { width: 70, value: setNumber }]);
    sheet.flow(LEFT - 25, next(42), [
      "เขตเลือกตั้งที่",
      { width: 60, value: constituency },
      "จังหวัด",
      { width: 150, value: province },
      " ได้ดำเนินการนับคะแนนบัตรเลือกตั้งล่วงหน้าในเขตเลือกตั้ง",
    ]);
    sheet.print("เสร็จเรียบร้อยแล้ว ขอรายงานผลการนับคะแนน ดังนี้", LEFT - 25, next(42));
  } else {
    sheet.print(`${committee} ได้ดำเนินการนับคะแนนเสร็จเรียบร้อยแล้ว ขอรายงานผลการนับคะแนน ดังนี้`, 180, y);
  }
  y += 42;
  if (form.formCode === "5/18") {
    sheet.print("๑. จำนวนผู้มีสิทธิเลือกตั้งและผู้มาแสดงตน", 180, y);
    sheet.numberLine("๑.๑ ผู้มีสิทธิเลือกตั้งตามบัญชีรายชื่อ", 220, 420, next(38), t.eligibleVoters, "คน", t.eligibleVoters?.words !== null);
    sheet.numberLine("๑.๒ ผู้มีสิทธิเลือกตั้งที่มาแสดงตน", 220, 420, next(38), t.votersTurnedUp, "คน", t.votersTurnedUp?.words !== null);
    sheet.print("๒. จำนวนบัตรเลือกตั้ง", 180, next(38));
    sheet.numberLine("๒.๑ บัตรเลือกตั้งที่ได้รับจัดสรร", 220, 420, next(38), t.ballotsReceived, "บัตร");
    sheet.numberLine("๒.๒ บัตรเลือกตั้งที่ใช้", 220, 420, next(38), t.ballotsUsed, "บัตร");
    sheet.numberLine("๒.๒.๑ บัตรดี", 260, 380, next(38), t.good, "บัตร");
    sheet.numberLine("๒.๒.๒ บัตรเสีย", 260, 380, next(38), t.bad, "บัตร");
    sheet.numberLine(`๒.๒.๓ ${noVoteLabel(form.formKind)}`, 260, 380, next(38), t.noVote, "บัตร");
    sheet.numberLine("๒.๓ บัตรเลือกตั้งที่เหลือ", 220, 420, next(38), t.ballotsRemaining, "บัตร");
    printBreakdown(sheet, 180, next(40), next);
    return y + 22;
  }
  sheet.flow(250, y, ["๑. ได้รับบัตรเลือกตั้ง ทั้งหมด", { width: 100, value: t.ballotsReceived?.digits ?? null }, "บัตร"]);
  sheet.print(`๒. ${committee} ได้ดำเนินการนับบัตร`, 250, next(42));
  sheet.print("เลือกตั้งตามข้อ ๑ ปรากฏผล ดังนี้", LEFT - 25, next(40));
  const noVote = noVoteLabel(form.formKind);
  const labelWidth = form.formKind === "party_list" ? 455 : 270;
  sheet.numberLine("๒.๑ บัตรดี", 290, labelWidth, next(40), t.good, "บัตร");
  sheet.numberLine("๒.๒ บัตรเสีย", 290, labelWidth, next(40), t.bad, "บัตร");
  sheet.numberLine(`๒.๓ ${noVote}`, 290, labelWidth, next(40), t.noVote, "บัตร");
  printBreakdown(sheet, 250, next(40), next);
  return y + 28;
}

function printBreakdown(sheet: Sheet, x: number, y: number, next: (step: number) => number): void {
  const [first, ...rest] = breakdownLines(sheet.form.formCode, sheet.form.formKind);
  if (first) sheet.print(first, x, y, { maxWidth: 1150 - x });
  for (const line of rest) sheet.print(line, LEFT - 25, next(38));
}

interface TableGeometry {
  readonly columns: readonly number[];
  readonly top: number;
  readonly headerHeight: number;
  readonly rowHeight: number;
}

function tableGeometry(sheet: Sheet, top: number, rows: number, bottom: number): TableGeometry {
  const columns = sheet.form.formKind === "constituency" ? [95, 280, 570, 760, 1170] : [85, 320, 640, 1145];
  const headerHeight = 80;
  const rowHeight = Math.min(sheet.form.formKind === "constituency" ? 50 : 62, (bottom - top - headerHeight) / rows);
  return { columns, top, headerHeight, rowHeight };
}

/** The vote table with rows `first..last`; the total line when `withTotal`. */
function drawTable(sheet: Sheet, top: number, first: number, last: number, withTotal: boolean, bottom: number): void {
  const { form } = sheet;
  const rowCount = last - first + 1 + (withTotal ? 1 : 0);
  const g = tableGeometry(sheet, top, rowCount, bottom);
  const { columns } = g;
  const left = columns[0] ?? 95;
  const right = columns[columns.length - 1] ?? 1170;
  const bodyTop = top + g.headerHeight;
  const tableBottom = bodyTop + g.rowHeight * rowCount;
  // Frame and header.
  sheet.line(left, top, right, top, 2.2);
  sheet.line(left, tableBottom, right, tableBottom, 2.2);
  sheet.line(left, bodyTop, right, bodyTop, 1.6);
  columns.forEach((x, i) => {
    const isLast = i === columns.length - 1;
    const reachesBottom = i === 0 || isLast || !withTotal;
    sheet.line(x, top, x, reachesBottom ? tableBottom : tableBottom - g.rowHeight, i === 0 || isLast ? 2.2 : 1.6);
  });
  TABLE_HEADERS[form.formKind].forEach(([line1, line2], i) => {
    const cx = ((columns[i] ?? 0) + (columns[i + 1] ?? 0)) / 2;
    const maxWidth = (columns[i + 1] ?? 0) - (columns[i] ?? 0) - 12;
    sheet.print(line1, cx, top + 33, { size: 24, align: "center", maxWidth });
    sheet.print(line2, cx, top + 66, { size: 24, align: "center", maxWidth });
  });
  const votesLeft = columns[columns.length - 2] ?? 760;
  const rowsByNumber = new Map(form.votes.map((row) => [row.number, row]));
  const labels = new Map(form.labels.map((label) => [label.number, label]));
  for (let number = first; number <= last; number++) {
    const rowTop = bodyTop + g.rowHeight * (number - first);
    const baseline = rowTop + g.rowHeight * 0.72;
    sheet.line(left, rowTop + g.rowHeight, right, rowTop + g.rowHeight, 1.3);
    sheet.print(arabicDigitsToThai(String(number)), ((columns[0] ?? 0) + (columns[1] ?? 0)) / 2, baseline, { size: 26, align: "center" });
    const label = labels.get(number);
    if (form.formKind === "party_list") {
      if (label)
        sheet.print(label.name, (columns[1] ?? 0) + 14, baseline, { size: 25, maxWidth: (columns[2] ?? 0) - (columns[1] ?? 0) - 22 });
    } else if (label) {
      handwrite(
        sheet.ctx,
        label.name,
        (columns[1] ?? 0) + 6,
        baseline - 2,
        sheet.namePen,
        sheet.rng,
        (columns[2] ?? 0) - (columns[1] ?? 0) - 12,
      );
      if (label.party)
        handwrite(
          sheet.ctx,
          label.party,
          (columns[2] ?? 0) + 6,
          baseline - 2,
          sheet.namePen,
          sheet.rng,
          (columns[3] ?? 0) - (columns[2] ?? 0) - 12,
        );
    }
    const struck = form.corrections.find((c) => c.number === number)?.struckDigits ?? null;
    drawVoteCell(sheet, rowsByNumber.get(number) ?? null, votesLeft, right, baseline, struck);
  }
  if (withTotal) {
    const baseline = tableBottom - g.rowHeight * 0.28;
    sheet.print(TOTAL_LINE, ((columns[1] ?? 0) + votesLeft) / 2, baseline, { bold: true, size: 25, align: "center" });
    const total = form.totals.voteTotal;
    if (total !== null && total.mark !== "blank") {
      sheet.write(total.digits, votesLeft + 10, baseline, 110);
      sheet.write(total.words, votesLeft + 125, baseline, right - votesLeft - 140);
    }
  }
}

function drawVoteCell(sheet: Sheet, cell: NumberCell | null, left: number, right: number, baseline: number, struck: string | null): void {
  const digitsWidth = 120;
  sheet.dots(left + 10, baseline, digitsWidth);
  const open = left + 10 + digitsWidth;
  sheet.print("(", open, baseline);
  const wordsLeft = open + 10;
  const wordsWidth = right - 24 - wordsLeft;
  sheet.dots(wordsLeft, baseline, wordsWidth);
  sheet.print(")", wordsLeft + wordsWidth, baseline);
  if (struck !== null) {
    // A correction: the first number is struck through and the final one written beside it.
    const { ctx, rng } = sheet;
    const width = handwrite(ctx, struck, left + 8, baseline - 5, { ...sheet.pen, size: sheet.pen.size * 0.8 }, rng);
    ctx.strokeStyle = sheet.pen.ink;
    ctx.lineWidth = 2.2;
    ctx.beginPath();
    ctx.moveTo(left + 4, baseline - 12 + rng.real(-3, 3));
    ctx.lineTo(left + 14 + width, baseline - 16 + rng.real(-3, 3));
    ctx.stroke();
    sheet.writeCell(cell, left + 16 + width, baseline, digitsWidth, "digits");
  } else {
    sheet.writeCell(cell, left + 10, baseline, digitsWidth, "digits");
  }
  sheet.writeCell(cell, wordsLeft, baseline, wordsWidth, "words");
}

function drawSignaturePage(sheet: Sheet): void {
  const { form, rng } = sheet;
  const date = form.announceDate;
  const thai = form.digitStyle.thaiDigits;
  const num = (n: number): string => (thai ? arabicDigitsToThai(String(n)) : String(n));
  sheet.flow(300, 250, [
    "ประกาศ ณ วันที่",
    { width: 120, value: num(date.day) },
    "เดือน",
    { width: 190, value: THAI_MONTHS[date.month - 1] ?? null },
    "พ.ศ.",
    { width: 150, value: num(date.yearBE) },
  ]);
  const is518 = form.formCode === "5/18";
  const chair = is518 ? CHAIR_ROLE_5_18 : CHAIR_ROLE;
  const member = is518 ? MEMBER_ROLE_5_18 : MEMBER_ROLE;
  const signer = (x: number, y: number, width: number, role: string, name: string | undefined, signed: boolean): void => {
    sheet.print("(ลงชื่อ)", x, y);
    const fieldX = x + 95;
    sheet.dots(fieldX, y, width);
    if (signed) scribbleSignature(sheet.ctx, fieldX + 20, y - 6, width * 0.6, sheet.pen, rng);
    sheet.print(role, fieldX + width, y);
    sheet.print("(", fieldX - 15, y + 40);
    sheet.dots(fieldX - 5, y + 40, width);
    sheet.print(")", fieldX + width, y + 40);
    if (signed && name) sheet.write(name, fieldX - 5, y + 40, width, sheet.namePen);
  };
  signer(410, 345, 280, chair, form.committee[0], true);
  for (let i = 0; i < 4; i++) {
    const y = 465 + i * 112;
    signer(60, y, 140, member, form.committee[1 + i * 2], rng.chance(0.9));
    signer(615, y, 150, member, form.committee[2 + i * 2], rng.chance(0.85));
  }
  sheet.print(REMARKS_LINE, 620, 935, { align: "center", size: 24 });
  for (let i = 0; i < 4; i++) sheet.dots(75, 985 + i * 48, 1075);
  const notes = copiesNote(form.formCode, form.formKind);
  for (const [i, line] of notes.entries()) sheet.print(line, i === 0 ? 75 : 190, 1210 + i * 38, { size: 22, bold: i === 0 });
}

/** Draws page `pageIndex` (1-based) of a synthetic form. */
export function renderPage(form: SynthForm, pageIndex: number, rng: Rng, options: RenderOptions): RawPage {
  const layout = formLayout(form.formKind)[pageIndex - 1];
  if (!layout) throw new Error(`form has no page ${pageIndex}`);
  const scale = options.dpi / 150;
  const width = Math.round(PAGE_WIDTH * scale);
  const height = Math.round(PAGE_HEIGHT * scale);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, width, height);
  ctx.scale(scale, scale);
  // The writer's hand is the same on every page of a document.
  const sheet = new Sheet(ctx, rng.fork(`page-${pageIndex}`), form, rng.fork("pens"));
  drawPageTop(sheet, pageIndex);
  if (layout.role === "signatures") {
    drawSignaturePage(sheet);
  } else if (layout.rows) {
    const top = layout.hasTotals ? drawFirstPageHead(sheet) : 215;
    const bottom = !layout.hasTotals ? 1625 : form.formKind === "constituency" ? 1565 : 1620;
    drawTable(sheet, top, layout.rows[0], layout.rows[1], layout.hasTotalLine, bottom);
  }
  drawFooter(sheet, pageIndex, options.scannerFooter);
  return { data: canvas.data(), width, height };
}
