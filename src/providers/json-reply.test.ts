import { describe, expect, it } from "vitest";
import { parseJsonReply } from "./json-reply.js";

describe("parseJsonReply", () => {
  it("parses plain JSON", () => {
    expect(parseJsonReply('{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
  });

  it("finds JSON in a code fence among prose", () => {
    const text = 'Sure! Here it is:\n```json\n{"rows": [{"number": 1}]}\n```\nLet me know.';
    expect(parseJsonReply(text)).toEqual({ ok: true, value: { rows: [{ number: 1 }] } });
  });

  it("finds the first balanced object, ignoring braces inside strings", () => {
    const text = 'The form says: {"note": "a } brace and a { brace", "n": 2} and that is all. {"second": true}';
    expect(parseJsonReply(text)).toEqual({ ok: true, value: { note: "a } brace and a { brace", n: 2 } });
  });

  it("reports a truncated object", () => {
    const result = parseJsonReply('{"rows": [{"number": 1, "digits": "12');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain("not closed");
  });

  it("reports prose without JSON, and an empty reply", () => {
    expect(parseJsonReply("I cannot read this.")).toEqual({ ok: false, error: "the reply holds no JSON object" });
    expect(parseJsonReply("   ")).toEqual({ ok: false, error: "the reply is empty" });
  });

  it("refuses oversized replies before parsing", () => {
    const result = parseJsonReply(`{"x": "${"a".repeat(2000)}"}`, 1000);
    expect(!result.ok && result.error).toContain("larger than");
  });

  it("never evaluates anything", () => {
    const result = parseJsonReply('{"x": (function(){ globalThis.hacked = true; return 1 })()}');
    expect(result.ok).toBe(false);
    expect((globalThis as { hacked?: boolean }).hacked).toBeUndefined();
  });
});
