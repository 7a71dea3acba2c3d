import { appendFileSync } from "node:fs";
import { join } from "node:path";
import type { FormResult } from "../forms/form-result.js";
import { REPORT_FILES } from "../reports/write-reports.js";

/** Appends each result to results.jsonl as it finishes (the full file is rewritten from the store at the end). */
export function resultAppender(outDir: string): (result: FormResult) => void {
  const file = join(outDir, REPORT_FILES.results);
  return (result) => appendFileSync(file, `${JSON.stringify(result)}\n`, "utf8");
}
