import { execFileSync } from "node:child_process";

export function hasPdftotext(): boolean {
  try {
    execFileSync("pdftotext", ["-v"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * A PDF's text layer (pdftotext -raw), zero-width spaces dropped and sara am recomposed (see
 * pdfSafeText). With `oneLine`, every run of white space is one space: table cells and notes wrap.
 */
export function pdfText(path: string, options: { oneLine?: boolean } = {}): string {
  const text = execFileSync("pdftotext", ["-raw", path, "-"], { encoding: "utf8" })
    .replaceAll("\u200b", "")
    .replaceAll("\u0e4d\u0e32", "\u0e33");
  return options.oneLine ? text.replace(/\s+/g, " ") : text;
}
