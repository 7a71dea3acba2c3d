import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveInside, sanitizeUploadPath } from "./upload-path.js";

describe("sanitizeUploadPath", () => {
  it("keeps Thai names and NFC-normalises them", () => {
    // "ที่" typed with the tone mark before the vowel still ends up in one canonical form.
    const decomposed = "แพร่/เขต 1/หน่วยที่ 3.pdf".normalize("NFD");
    expect(sanitizeUploadPath(decomposed)).toEqual({ ok: true, value: "แพร่/เขต 1/หน่วยที่ 3.pdf".normalize("NFC") });
  });

  it("replaces characters Windows forbids and trims segments", () => {
    expect(sanitizeUploadPath(" x/a:b/c*d?.png ")).toEqual({ ok: true, value: "x/a_b/c_d_.png" });
  });

  it.each([
    ["", /empty/],
    ["../x.png", /'\.\.'/],
    ["a/../../x.png", /'\.\.'/],
    ["/etc/passwd", /absolute/],
    ["C:/x.png", /absolute/],
    ["a\\b.png", /backslash/],
    ["a\u0000b.png", /control/],
    ["a//b.png", /empty folder/],
    ["./x.png", /empty folder/],
    ["a/.../x.png", /invalid/],
    [`${"ก".repeat(90)}.png`, /too long/],
  ])("refuses %j", (raw, reason) => {
    const result = sanitizeUploadPath(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(reason);
  });
});

describe("resolveInside", () => {
  it("resolves below the root and refuses the root itself", () => {
    expect(resolveInside("/data/up", "a/b.png")).toEqual({ ok: true, value: path.resolve("/data/up/a/b.png") });
    expect(resolveInside("/data/up", "..").ok).toBe(false);
    expect(resolveInside("/data/up", "../upx/a").ok).toBe(false);
  });
});
