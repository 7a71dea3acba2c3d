/**
 * A canvas for chart.js that draws into a pdfkit document as vectors and real text, so the PDF
 * reports need no raster canvas (the @napi-rs/canvas binary alone added ~50 MB RSS to the report
 * step). It implements the part of the 2D context API chart.js uses; chart.js picks its
 * BasicPlatform in Node and only asks the canvas for getContext("2d"), width and height.
 *
 * Paths are kept in chart pixels after the context's transform and written to the PDF when they
 * are filled, stroked or clipped, so a transform change in the middle of a path behaves as on a
 * canvas (PDF allows no transform change inside a path). Text is written under the full transform
 * with the document's registered fonts: selectable, searchable Thai.
 */

type Doc = PDFKit.PDFDocument;
/** [a, b, c, d, e, f]: x' = a·x + c·y + e, y' = b·x + d·y + f (the canvas convention). */
type Matrix = readonly [number, number, number, number, number, number];

const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];

function multiply(m: Matrix, n: Matrix): Matrix {
  return [
    m[0] * n[0] + m[2] * n[1],
    m[1] * n[0] + m[3] * n[1],
    m[0] * n[2] + m[2] * n[3],
    m[1] * n[2] + m[3] * n[3],
    m[0] * n[4] + m[2] * n[5] + m[4],
    m[1] * n[4] + m[3] * n[5] + m[5],
  ];
}

function apply(m: Matrix, x: number, y: number): [number, number] {
  return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
}

/** How much the matrix scales lengths (exact for uniform scales and rotations). */
function lengthScale(m: Matrix): number {
  return Math.sqrt(Math.abs(m[0] * m[3] - m[1] * m[2]));
}

interface Rgba {
  readonly rgb: [number, number, number] | string;
  readonly alpha: number;
}

const NAMED: Record<string, Rgba> = {
  transparent: { rgb: [0, 0, 0], alpha: 0 },
};

function channel(text: string): number {
  return text.endsWith("%") ? (Number.parseFloat(text) / 100) * 255 : Number.parseFloat(text);
}

/** CSS colours as chart.js writes them: #rgb(a), #rrggbb(aa), rgb()/rgba(); names go to pdfkit. */
export function parseColor(style: string): Rgba {
  const s = style.trim().toLowerCase();
  const named = NAMED[s];
  if (named) return named;
  const hex = /^#([0-9a-f]{3,8})$/.exec(s)?.[1];
  if (hex && [3, 4, 6, 8].includes(hex.length)) {
    const digits = hex.length <= 4 ? [...hex].map((d) => d + d) : (hex.match(/../g) ?? []);
    const [r, g, b, a] = digits.map((d) => Number.parseInt(d, 16));
    return { rgb: [r ?? 0, g ?? 0, b ?? 0], alpha: a === undefined ? 1 : a / 255 };
  }
  const fn = /^rgba?\(([^)]*)\)$/.exec(s)?.[1];
  if (fn) {
    const parts = fn.split(/[\s,/]+/).filter((p) => p.length > 0);
    const [r, g, b] = parts.slice(0, 3).map(channel);
    const a = parts[3];
    const alpha = a === undefined ? 1 : a.endsWith("%") ? Number.parseFloat(a) / 100 : Number.parseFloat(a);
    return { rgb: [r ?? 0, g ?? 0, b ?? 0], alpha: Number.isFinite(alpha) ? alpha : 1 };
  }
  return { rgb: style, alpha: 1 };
}

interface Font {
  readonly size: number;
  readonly bold: boolean;
}

/** The size and weight of a CSS font string ("bold 30px 'Waree', sans-serif"); the family is the document's. */
function parseFont(font: string): Font | null {
  const match = /(?:^|\s)(\d+(?:\.\d+)?)px\b/.exec(font);
  if (!match) return null;
  const before = font.slice(0, match.index);
  const weight = /\b(bold|bolder|[1-9]00)\b/.exec(before)?.[1];
  return { size: Number(match[1]), bold: weight !== undefined && (weight.startsWith("bold") || Number(weight) >= 600) };
}

interface State {
  matrix: Matrix;
  fillStyle: string;
  strokeStyle: string;
  lineWidth: number;
  lineCap: "butt" | "round" | "square";
  lineJoin: "miter" | "round" | "bevel";
  miterLimit: number;
  lineDash: number[];
  lineDashOffset: number;
  globalAlpha: number;
  font: string;
  textAlign: "left" | "right" | "center" | "start" | "end";
  textBaseline: "top" | "hanging" | "middle" | "alphabetic" | "ideographic" | "bottom";
  direction: "ltr" | "rtl" | "inherit";
}

type Segment =
  | { readonly op: "M" | "L"; readonly x: number; readonly y: number }
  | {
      readonly op: "C";
      readonly x1: number;
      readonly y1: number;
      readonly x2: number;
      readonly y2: number;
      readonly x: number;
      readonly y: number;
    }
  | { readonly op: "Z" };

export interface PdfCanvasOptions {
  /** The chart's size in pixels (chart.js lays it out at this size). */
  readonly width: number;
  readonly height: number;
  /** Where the chart's top-left corner goes on the page, and points per pixel. */
  readonly x: number;
  readonly y: number;
  readonly scale: number;
  /** Names of fonts registered in the document. */
  readonly fonts: { readonly regular: string; readonly bold: string };
  /** Applied to every text drawn or measured (e.g. the document's text fixes). */
  readonly mapText?: (text: string) => string;
}

/** The 2D context: the subset of CanvasRenderingContext2D that chart.js calls. */
export class PdfContext2D {
  private state: State = {
    matrix: IDENTITY,
    fillStyle: "#000000",
    strokeStyle: "#000000",
    lineWidth: 1,
    lineCap: "butt",
    lineJoin: "miter",
    miterLimit: 10,
    lineDash: [],
    lineDashOffset: 0,
    globalAlpha: 1,
    font: "10px sans-serif",
    textAlign: "start",
    textBaseline: "alphabetic",
    direction: "ltr",
  };
  private readonly stack: State[] = [];
  private path: Segment[] = [];
  /** Current point and start of the current subpath, in page space. */
  private current: [number, number] | null = null;
  private subpathStart: [number, number] | null = null;
  private readonly base: Matrix;

  constructor(
    readonly canvas: PdfCanvas,
    private readonly doc: Doc,
    private readonly options: PdfCanvasOptions,
  ) {
    this.base = [options.scale, 0, 0, options.scale, options.x, options.y];
  }

  // --- state ---------------------------------------------------------------------------------
  save(): void {
    this.stack.push({ ...this.state, lineDash: [...this.state.lineDash] });
    this.doc.save();
  }
  restore(): void {
    const previous = this.stack.pop();
    if (!previous) return;
    this.state = previous;
    this.doc.restore();
  }
  /** Restores what save() left open (a chart that throws mid-draw must not unbalance the page). */
  closeAll(): void {
    while (this.stack.length > 0) this.restore();
  }

  get fillStyle(): string {
    return this.state.fillStyle;
  }
  set fillStyle(value: string) {
    if (typeof value === "string") this.state.fillStyle = value;
  }
  get strokeStyle(): string {
    return this.state.strokeStyle;
  }
  set strokeStyle(value: string) {
    if (typeof value === "string") this.state.strokeStyle = value;
  }
  get lineWidth(): number {
    return this.state.lineWidth;
  }
  set lineWidth(value: number) {
    if (Number.isFinite(value) && value > 0) this.state.lineWidth = value;
  }
  get lineCap(): State["lineCap"] {
    return this.state.lineCap;
  }
  set lineCap(value: State["lineCap"]) {
    if (value === "butt" || value === "round" || value === "square") this.state.lineCap = value;
  }
  get lineJoin(): State["lineJoin"] {
    return this.state.lineJoin;
  }
  set lineJoin(value: State["lineJoin"]) {
    if (value === "miter" || value === "round" || value === "bevel") this.state.lineJoin = value;
  }
  get miterLimit(): number {
    return this.state.miterLimit;
  }
  set miterLimit(value: number) {
    if (Number.isFinite(value) && value > 0) this.state.miterLimit = value;
  }
  get lineDashOffset(): number {
    return this.state.lineDashOffset;
  }
  set lineDashOffset(value: number) {
    if (Number.isFinite(value)) this.state.lineDashOffset = value;
  }
  get globalAlpha(): number {
    return this.state.globalAlpha;
  }
  set globalAlpha(value: number) {
    if (Number.isFinite(value) && value >= 0 && value <= 1) this.state.globalAlpha = value;
  }
  get font(): string {
    return this.state.font;
  }
  set font(value: string) {
    if (parseFont(value)) this.state.font = value;
  }
  get textAlign(): State["textAlign"] {
    return this.state.textAlign;
  }
  set textAlign(value: State["textAlign"]) {
    this.state.textAlign = value;
  }
  get textBaseline(): State["textBaseline"] {
    return this.state.textBaseline;
  }
  set textBaseline(value: State["textBaseline"]) {
    this.state.textBaseline = value;
  }
  get direction(): State["direction"] {
    return this.state.direction;
  }
  set direction(value: State["direction"]) {
    this.state.direction = value;
  }
  setLineDash(segments: readonly number[]): void {
    if (segments.some((s) => !Number.isFinite(s) || s < 0)) return;
    this.state.lineDash = segments.length % 2 === 1 ? [...segments, ...segments] : [...segments];
  }
  getLineDash(): number[] {
    return [...this.state.lineDash];
  }

  // --- transforms ----------------------------------------------------------------------------
  transform(a: number, b: number, c: number, d: number, e: number, f: number): void {
    this.state.matrix = multiply(this.state.matrix, [a, b, c, d, e, f]);
  }
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void {
    this.state.matrix = [a, b, c, d, e, f];
  }
  resetTransform(): void {
    this.state.matrix = IDENTITY;
  }
  translate(x: number, y: number): void {
    this.transform(1, 0, 0, 1, x, y);
  }
  scale(x: number, y: number): void {
    this.transform(x, 0, 0, y, 0, 0);
  }
  rotate(angle: number): void {
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    this.transform(cos, sin, -sin, cos, 0, 0);
  }

  /** Chart pixels under the current transform → page points. */
  private toPage(x: number, y: number): [number, number] {
    return apply(multiply(this.base, this.state.matrix), x, y);
  }

  // --- paths ---------------------------------------------------------------------------------
  beginPath(): void {
    this.path = [];
    this.current = null;
    this.subpathStart = null;
  }
  moveTo(x: number, y: number): void {
    const [px, py] = this.toPage(x, y);
    this.path.push({ op: "M", x: px, y: py });
    this.current = [px, py];
    this.subpathStart = [px, py];
  }
  lineTo(x: number, y: number): void {
    if (!this.current) {
      this.moveTo(x, y);
      return;
    }
    const [px, py] = this.toPage(x, y);
    this.path.push({ op: "L", x: px, y: py });
    this.current = [px, py];
  }
  bezierCurveTo(x1: number, y1: number, x2: number, y2: number, x: number, y: number): void {
    if (!this.current) this.moveTo(x1, y1);
    const [p1x, p1y] = this.toPage(x1, y1);
    const [p2x, p2y] = this.toPage(x2, y2);
    const [px, py] = this.toPage(x, y);
    this.path.push({ op: "C", x1: p1x, y1: p1y, x2: p2x, y2: p2y, x: px, y: py });
    this.current = [px, py];
  }
  quadraticCurveTo(cx: number, cy: number, x: number, y: number): void {
    if (!this.current) this.moveTo(cx, cy);
    const [x0, y0] = this.current ?? [0, 0];
    const [qx, qy] = this.toPage(cx, cy);
    const [px, py] = this.toPage(x, y);
    // A quadratic is the cubic with control points 2/3 of the way to its one control point.
    this.path.push({
      op: "C",
      x1: x0 + (2 / 3) * (qx - x0),
      y1: y0 + (2 / 3) * (qy - y0),
      x2: px + (2 / 3) * (qx - px),
      y2: py + (2 / 3) * (qy - py),
      x: px,
      y: py,
    });
    this.current = [px, py];
  }
  closePath(): void {
    if (!this.current) return;
    this.path.push({ op: "Z" });
    this.current = this.subpathStart;
  }
  rect(x: number, y: number, w: number, h: number): void {
    this.moveTo(x, y);
    this.lineTo(x + w, y);
    this.lineTo(x + w, y + h);
    this.lineTo(x, y + h);
    this.closePath();
  }
  arc(x: number, y: number, radius: number, start: number, end: number, counterclockwise = false): void {
    this.ellipse(x, y, radius, radius, 0, start, end, counterclockwise);
  }
  ellipse(x: number, y: number, rx: number, ry: number, rotation: number, start: number, end: number, counterclockwise = false): void {
    if (rx < 0 || ry < 0) throw new RangeError("negative radius");
    const full = 2 * Math.PI;
    let sweep = end - start;
    if (!counterclockwise) sweep = sweep >= full ? full : ((sweep % full) + full) % full;
    else sweep = -sweep >= full ? -full : -(((-sweep % full) + full) % full);
    const cos = Math.cos(rotation);
    const sin = Math.sin(rotation);
    const point = (angle: number, dx = 0, dy = 0): [number, number] => {
      const ex = rx * (Math.cos(angle) + dx);
      const ey = ry * (Math.sin(angle) + dy);
      return [x + ex * cos - ey * sin, y + ex * sin + ey * cos];
    };
    const [sx, sy] = point(start);
    if (this.current) this.lineTo(sx, sy);
    else this.moveTo(sx, sy);
    const steps = Math.max(1, Math.ceil(Math.abs(sweep) / (Math.PI / 2) - 1e-9));
    const step = sweep / steps;
    // Each piece of at most 90° is one cubic; k is the standard control-point distance.
    const k = (4 / 3) * Math.tan(step / 4);
    for (let i = 0; i < steps; i++) {
      const a0 = start + i * step;
      const a1 = a0 + step;
      const c1 = point(a0, -k * Math.sin(a0), k * Math.cos(a0));
      const c2 = point(a1, k * Math.sin(a1), -k * Math.cos(a1));
      const p = point(a1);
      this.bezierCurveTo(c1[0], c1[1], c2[0], c2[1], p[0], p[1]);
    }
  }

  private emitPath(segments: readonly Segment[]): void {
    for (const s of segments) {
      if (s.op === "M") this.doc.moveTo(s.x, s.y);
      else if (s.op === "L") this.doc.lineTo(s.x, s.y);
      else if (s.op === "C") this.doc.bezierCurveTo(s.x1, s.y1, s.x2, s.y2, s.x, s.y);
      else this.doc.closePath();
    }
  }

  private setFill(style: string): boolean {
    const { rgb, alpha } = parseColor(style);
    const opacity = alpha * this.state.globalAlpha;
    if (opacity <= 0) return false;
    this.doc.fillColor(rgb, opacity);
    return true;
  }

  private setStroke(style: string): boolean {
    const { rgb, alpha } = parseColor(style);
    const opacity = alpha * this.state.globalAlpha;
    if (opacity <= 0) return false;
    const factor = lengthScale(multiply(this.base, this.state.matrix));
    this.doc
      .strokeColor(rgb, opacity)
      .lineWidth(this.state.lineWidth * factor)
      .lineCap(this.state.lineCap)
      .lineJoin(this.state.lineJoin)
      .miterLimit(this.state.miterLimit);
    const dash = this.state.lineDash;
    if (dash.length === 0 || dash.every((d) => d === 0)) this.doc.undash();
    // pdfkit refuses zero-length dashes; a hair keeps the pattern.
    else this.doc.dash(dash.map((d) => Math.max(d * factor, 1e-3)) as unknown as number, { phase: this.state.lineDashOffset * factor });
    return true;
  }

  fill(rule?: "nonzero" | "evenodd"): void {
    if (this.path.length === 0 || !this.setFill(this.state.fillStyle)) return;
    this.emitPath(this.path);
    this.doc.fill(rule === "evenodd" ? "even-odd" : "non-zero");
  }
  stroke(): void {
    if (this.path.length === 0 || !this.setStroke(this.state.strokeStyle)) return;
    this.emitPath(this.path);
    this.doc.stroke();
  }
  /** Intersects the clip with the current path until the matching restore(). */
  clip(rule?: "nonzero" | "evenodd"): void {
    // An empty path clips everything away.
    this.emitPath(this.path.length > 0 ? this.path : [{ op: "M", x: 0, y: 0 }, { op: "Z" }]);
    this.doc.clip(rule === "evenodd" ? "even-odd" : "non-zero");
  }

  private rectPath(x: number, y: number, w: number, h: number): Segment[] {
    const corners = [this.toPage(x, y), this.toPage(x + w, y), this.toPage(x + w, y + h), this.toPage(x, y + h)];
    return [...corners.map(([px, py], i): Segment => ({ op: i === 0 ? "M" : "L", x: px, y: py })), { op: "Z" }];
  }
  fillRect(x: number, y: number, w: number, h: number): void {
    if (!this.setFill(this.state.fillStyle)) return;
    this.emitPath(this.rectPath(x, y, w, h));
    this.doc.fill("non-zero");
  }
  strokeRect(x: number, y: number, w: number, h: number): void {
    if (!this.setStroke(this.state.strokeStyle)) return;
    this.emitPath(this.rectPath(x, y, w, h));
    this.doc.stroke();
  }
  /** The page under the chart is the PDF's own; there is nothing to clear. */
  clearRect(_x: number, _y: number, _w: number, _h: number): void {}

  // --- text ----------------------------------------------------------------------------------
  private useFont(): Font {
    const font = parseFont(this.state.font) ?? { size: 10, bold: false };
    this.doc.font(font.bold ? this.options.fonts.bold : this.options.fonts.regular).fontSize(font.size);
    return font;
  }
  private mapped(text: string): string {
    return this.options.mapText ? this.options.mapText(String(text)) : String(text);
  }

  measureText(text: string): {
    width: number;
    actualBoundingBoxLeft: number;
    actualBoundingBoxRight: number;
    actualBoundingBoxAscent: number;
    actualBoundingBoxDescent: number;
    fontBoundingBoxAscent: number;
    fontBoundingBoxDescent: number;
  } {
    const { size } = this.useFont();
    const width = this.doc.widthOfString(this.mapped(text));
    const metrics = (this.doc as unknown as { _font?: { ascender?: number; descender?: number } })._font;
    const ascent = ((metrics?.ascender ?? 800) / 1000) * size;
    const descent = (-(metrics?.descender ?? -200) / 1000) * size;
    return {
      width,
      actualBoundingBoxLeft: 0,
      actualBoundingBoxRight: width,
      actualBoundingBoxAscent: ascent,
      actualBoundingBoxDescent: descent,
      fontBoundingBoxAscent: ascent,
      fontBoundingBoxDescent: descent,
    };
  }

  private drawText(text: string, x: number, y: number, maxWidth: number | undefined, mode: "fill" | "stroke"): void {
    const content = this.mapped(text);
    if (content.length === 0) return;
    this.doc.save();
    const visible = mode === "fill" ? this.setFill(this.state.fillStyle) : this.setStroke(this.state.strokeStyle);
    if (!visible) {
      this.doc.restore();
      return;
    }
    this.useFont();
    const natural = this.doc.widthOfString(content);
    const squeeze = maxWidth !== undefined && maxWidth > 0 && natural > maxWidth ? maxWidth / natural : 1;
    const width = natural * squeeze;
    const rtl = this.state.direction === "rtl";
    const align = this.state.textAlign;
    const right = align === "right" || (align === "end" && !rtl) || (align === "start" && rtl);
    const dx = align === "center" ? -width / 2 : right ? -width : 0;
    const baseline = {
      top: "top",
      hanging: "hanging",
      middle: "middle",
      alphabetic: "alphabetic",
      ideographic: "bottom",
      bottom: "bottom",
    }[this.state.textBaseline] as PDFKit.Mixins.TextOptions["baseline"];
    // Squeezed to maxWidth by the transform: pdfkit's horizontalScaling misplaces Thai marks.
    const m = multiply(multiply(this.base, this.state.matrix), [squeeze, 0, 0, 1, x + dx, 0]);
    this.doc.transform(m[0], m[1], m[2], m[3], m[4], m[5]);
    // The stroke width was set in page space above; text is drawn in chart space.
    if (mode === "stroke") this.doc.lineWidth(this.state.lineWidth);
    const options: PDFKit.Mixins.TextOptions = { lineBreak: false, baseline, fill: mode === "fill", stroke: mode === "stroke" };
    this.doc.text(content, 0, y, options);
    this.doc.restore();
  }
  fillText(text: string, x: number, y: number, maxWidth?: number): void {
    this.drawText(text, x, y, maxWidth, "fill");
  }
  strokeText(text: string, x: number, y: number, maxWidth?: number): void {
    this.drawText(text, x, y, maxWidth, "stroke");
  }

  /** Images are not needed by bar charts; drawing one is a no-op rather than a crash. */
  drawImage(): void {}
}

/** What chart.js is given instead of an HTMLCanvasElement. */
export class PdfCanvas {
  width: number;
  height: number;
  private readonly context: PdfContext2D;

  constructor(doc: Doc, options: PdfCanvasOptions) {
    this.width = options.width;
    this.height = options.height;
    this.context = new PdfContext2D(this, doc, options);
  }

  getContext(kind: string): PdfContext2D | null {
    return kind === "2d" ? this.context : null;
  }
}
