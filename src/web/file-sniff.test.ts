import { describe, expect, it } from "vitest";
import { extensionFor, sniffUploadKind } from "./file-sniff.js";

const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === "string" ? [...p].map((c) => c.charCodeAt(0)) : p)));

describe("sniffUploadKind", () => {
  it("recognises the five scan formats by content", () => {
    expect(sniffUploadKind(bytes("%PDF-1.7"))).toBe("pdf");
    expect(sniffUploadKind(bytes([0x89], "PNG", [0x0d, 0x0a, 0x1a, 0x0a]))).toBe("png");
    expect(sniffUploadKind(bytes([0xff, 0xd8, 0xff, 0xe0]))).toBe("jpeg");
    expect(sniffUploadKind(bytes("RIFF", [1, 2, 3, 4], "WEBP"))).toBe("webp");
    expect(sniffUploadKind(bytes("II*", [0]))).toBe("tiff");
    expect(sniffUploadKind(bytes("MM", [0], "*"))).toBe("tiff");
  });

  it("refuses everything else, however it is named", () => {
    expect(sniffUploadKind(bytes("<html>"))).toBeNull();
    expect(sniffUploadKind(bytes("PK", [3, 4]))).toBeNull();
    expect(sniffUploadKind(new Uint8Array())).toBeNull();
  });
});

describe("extensionFor", () => {
  it("keeps a matching name, adds a missing extension and flags a wrong one", () => {
    expect(extensionFor("jpeg", "scan.JPG")).toEqual({ kind: "keep" });
    expect(extensionFor("png", "หน่วย 3")).toEqual({ kind: "append", extension: ".png" });
    expect(extensionFor("png", "scan.pdf")).toEqual({ kind: "mismatch", claimed: ".pdf" });
  });
});
