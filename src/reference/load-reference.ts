import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { err, ok, type Result } from "../basics/result.js";
import { buildReference, type ParsedReferenceFiles } from "./build-reference.js";
import type { Reference } from "./reference.js";
import type { ReferenceLoadError } from "./reference-load-error.js";
import { MANIFEST_FILE, REFERENCE_FILES, type ReferenceFileSpec } from "./reference-files.js";
import { validateReferenceFile } from "./validate-file.js";
import { errorMessage } from "../basics/error-message.js";

async function readJson(dir: string, spec: ReferenceFileSpec): Promise<Result<unknown | undefined, ReferenceLoadError>> {
  let text: string;
  try {
    text = await readFile(join(dir, spec.fileName), "utf8");
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && !spec.required) return ok(undefined);
    const why = code === "ENOENT" ? "file not found" : `cannot read (${code ?? String(cause)})`;
    return err({ kind: "missing_file", file: spec.fileName, message: `${spec.fileName}: ${why} in ${dir}` });
  }
  try {
    return ok(JSON.parse(text.startsWith("\ufeff") ? text.slice(1) : text));
  } catch (cause) {
    const detail = errorMessage(cause);
    return err({
      kind: "invalid_json",
      file: spec.fileName,
      message: `${spec.fileName}: not valid JSON (${detail}); the file may be truncated`,
    });
  }
}

async function loadFile<T>(
  dir: string,
  spec: ReferenceFileSpec & { schema: import("zod").ZodType<T> },
): Promise<Result<T | null, ReferenceLoadError>> {
  const json = await readJson(dir, spec);
  if (!json.ok) return json;
  if (json.value === undefined) return ok(null);
  return validateReferenceFile(spec.fileName, json.value, spec.schema);
}

async function snapshotTime(dir: string): Promise<string | null> {
  try {
    const manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE), "utf8")) as Record<string, unknown>;
    const value = manifest["snapshot_utc"] ?? manifest["fetchedAt"];
    return typeof value === "string" ? value : null;
  } catch {
    return null;
  }
}

/**
 * Load and validate an ECT snapshot directory (the official file names). A missing, truncated or
 * changed file gives an error naming the file and the field, e.g.
 * `info_mp_candidate.json: [12].mp_app_no: expected number, got string`.
 */
export async function loadReference(dir: string): Promise<Result<Reference, ReferenceLoadError>> {
  const provinces = await loadFile(dir, REFERENCE_FILES.provinces);
  if (!provinces.ok) return provinces;
  const constituencies = await loadFile(dir, REFERENCE_FILES.constituencies);
  if (!constituencies.ok) return constituencies;
  const partyOverview = await loadFile(dir, REFERENCE_FILES.partyOverview);
  if (!partyOverview.ok) return partyOverview;
  const mpCandidates = await loadFile(dir, REFERENCE_FILES.mpCandidates);
  if (!mpCandidates.ok) return mpCandidates;
  const partyCandidates = await loadFile(dir, REFERENCE_FILES.partyCandidates);
  if (!partyCandidates.ok) return partyCandidates;
  const statsCons = await loadFile(dir, REFERENCE_FILES.statsCons);
  if (!statsCons.ok) return statsCons;
  const statsParty = await loadFile(dir, REFERENCE_FILES.statsParty);
  if (!statsParty.ok) return statsParty;
  const files: ParsedReferenceFiles = {
    provinces: provinces.value!,
    constituencies: constituencies.value!,
    partyOverview: partyOverview.value!,
    mpCandidates: mpCandidates.value!,
    partyCandidates: partyCandidates.value,
    statsCons: statsCons.value,
    statsParty: statsParty.value,
  };
  return buildReference(files, { dir, snapshotAt: await snapshotTime(dir) });
}
