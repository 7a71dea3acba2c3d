import { describe, expect, it } from "vitest";
import { terminalSafe } from "./terminal-text.js";

describe("terminalSafe", () => {
  it("shows control characters as escapes, so a name cannot clear or retitle the terminal", () => {
    expect(terminalSafe("\u001b[2Jx.pdf")).toBe("\\e[2Jx.pdf");
    expect(terminalSafe("\u001b]0;owned\u0007.pdf")).toBe("\\e]0;owned\\x07.pdf");
    expect(terminalSafe("a\nb\rc\td\u007f\u009b")).toBe("a\\nb\\rc\\td\\x7f\\x9b");
  });
  it("leaves ordinary text, Thai included, as it is", () => {
    const name = "เขตเลือกตั้งที่ 1 จังหวัดแพร่/ชุดที่ 3/สส.5ทับ17(บช)ชุดที่3.pdf";
    expect(terminalSafe(name)).toBe(name);
  });
});
