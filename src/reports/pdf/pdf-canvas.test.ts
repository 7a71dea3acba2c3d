import PDFDocument from "pdfkit";
import { describe, expect, it } from "vitest";
import { PdfCanvas, parseColor } from "./pdf-canvas.js";

describe("parseColor", () => {
  it("reads the colour forms chart.js writes", () => {
    expect(parseColor("#3b6ea8")).toEqual({ rgb: [0x3b, 0x6e, 0xa8], alpha: 1 });
    expect(parseColor("#fff")).toEqual({ rgb: [255, 255, 255], alpha: 1 });
    expect(parseColor("#00000080").alpha).toBeCloseTo(0.5, 2);
    expect(parseColor("rgba(0, 0, 0, 0.1)")).toEqual({ rgb: [0, 0, 0], alpha: 0.1 });
    expect(parseColor("rgb(10 20 30 / 50%)")).toEqual({ rgb: [10, 20, 30], alpha: 0.5 });
    expect(parseColor("transparent").alpha).toBe(0);
    expect(parseColor("red")).toEqual({ rgb: "red", alpha: 1 });
  });
});

describe("PdfCanvas", () => {
  it("keeps pdfkit's save/restore balanced and skips invisible paints", () => {
    const doc = new PDFDocument({ size: "A4" });
    const canvas = new PdfCanvas(doc, {
      width: 100,
      height: 50,
      x: 10,
      y: 10,
      scale: 2,
      fonts: { regular: "Helvetica", bold: "Helvetica-Bold" },
    });
    const ctx = canvas.getContext("2d")!;
    ctx.save();
    ctx.translate(5, 5);
    ctx.rotate(Math.PI / 2);
    ctx.beginPath();
    ctx.arc(10, 10, 5, 0, 2 * Math.PI);
    ctx.fillStyle = "transparent";
    ctx.fill();
    ctx.strokeStyle = "#000";
    ctx.stroke();
    ctx.font = "bold 12px sans-serif";
    ctx.textAlign = "center";
    expect(ctx.measureText("abc").width).toBeGreaterThan(0);
    ctx.fillText("abc", 0, 0, 5);
    ctx.save();
    ctx.closeAll();
    ctx.restore(); // one more than was saved: ignored, as on a canvas
    expect((doc as unknown as { _ctmStack: unknown[] })._ctmStack).toHaveLength(0);
    expect(canvas.getContext("webgl")).toBeNull();
    doc.end();
  });
});
