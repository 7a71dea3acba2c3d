import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { err, ok, type Result } from "../../basics/result.js";

/**
 * Fonts embedded in the PDF reports and used in the charts. They must have Latin letters and
 * digits as well as Thai: Noto Sans Thai has none, and pdfkit does no font fallback. Waree
 * (fonts-thai-tlwg) is the first choice: stacked marks shape correctly and tone marks sit over
 * the consonant's right stem (ต้อง, แล้ว), where Garuda puts them over its left half, which
 * reads poorly at table sizes (seen in renders). Garuda and Sawasdee are fallbacks.
 */
export interface ThaiFonts {
  readonly family: string;
  readonly regular: string;
  readonly bold: string;
}

const CANDIDATES = [
  { family: "Waree", dir: "/usr/share/fonts/truetype/tlwg", regular: "Waree.ttf", bold: "Waree-Bold.ttf" },
  { family: "Garuda", dir: "/usr/share/fonts/truetype/tlwg", regular: "Garuda.ttf", bold: "Garuda-Bold.ttf" },
  { family: "Sawasdee", dir: "/usr/share/fonts/truetype/tlwg", regular: "Sawasdee.ttf", bold: "Sawasdee-Bold.ttf" },
] as const;

function fcMatch(pattern: string): string | null {
  try {
    const file = execFileSync("fc-match", ["-f", "%{file}", pattern], { encoding: "utf8", timeout: 5000 }).trim();
    return file.length > 0 && existsSync(file) ? file : null;
  } catch {
    return null;
  }
}

let cached: Result<ThaiFonts, string> | undefined;

/** Find the Thai fonts at run time: known Debian paths first, then fontconfig. */
export function locateThaiFonts(): Result<ThaiFonts, string> {
  if (cached) return cached;
  for (const c of CANDIDATES) {
    const regular = `${c.dir}/${c.regular}`;
    const bold = `${c.dir}/${c.bold}`;
    if (existsSync(regular)) {
      cached = ok({ family: c.family, regular, bold: existsSync(bold) ? bold : regular });
      return cached;
    }
    const matched = fcMatch(c.family);
    if (matched?.endsWith(c.regular)) {
      const matchedBold = fcMatch(`${c.family}:bold`);
      cached = ok({ family: c.family, regular: matched, bold: matchedBold?.endsWith(c.bold) ? matchedBold : matched });
      return cached;
    }
  }
  cached = err(
    "No Thai font with Latin digits found for the PDF reports (looked for Waree, Garuda and Sawasdee in /usr/share/fonts/truetype/tlwg and through fc-match). Install them with: apt-get install fonts-thai-tlwg",
  );
  return cached;
}
