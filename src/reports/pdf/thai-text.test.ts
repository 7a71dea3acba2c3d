import { describe, expect, it } from "vitest";
import { pdfSafeText } from "./pdf-report.js";
import { wrapThai, ZERO_WIDTH_SPACE } from "./thai-text.js";

describe("wrapThai", () => {
  it("marks Thai word boundaries and leaves other text alone", () => {
    expect(wrapThai("จังหวัดแพร่").split(ZERO_WIDTH_SPACE)).toEqual(["จังหวัด", "แพร่"]);
    expect(wrapThai("Form 5/18 (614)")).toBe("Form 5/18 (614)");
    expect(wrapThai("เขต 1 แพร่").replaceAll(ZERO_WIDTH_SPACE, "")).toBe("เขต 1 แพร่");
  });

  it("decomposes sara am so the PDF text layer stays right", () => {
    expect(pdfSafeText("น้ำ").normalize("NFKD")).toBe("น้ำ".normalize("NFKD"));
    expect(pdfSafeText("อำเภอ")).not.toContain("\u0e33");
  });
});
