import path from "node:path";
import type { BatchEventListener } from "../batch/events.js";
import { err, ok, type Result } from "../basics/result.js";
import type { FormResult, NumberCell, Status, TotalKey } from "../forms/form-result.js";
import type { StoredOverview } from "../aggregate/overview-areas.js";
import type { ResultPage, ResultQuery } from "../storage/result-index.js";
import type { Reference } from "../reference/reference.js";
import { displayPath } from "./document-rows.js";
import { failedResult } from "../forms/failed-result.js";
import type { DocumentRecord, EditRecord, Store } from "../storage/store.js";
import { reviewDigest, type Sentence } from "../aggregate/review-digest.js";
import type { Witness } from "../forms/evidence.js";
import { checkForm } from "../verify/check-form.js";
import { type CellRef, cellIdOf } from "../verify/cells.js";
import { applyVerdict, recordWitnesses } from "../verify/verdict.js";
import { regenerateExports } from "../workspace/exports.js";
import type {
  ApprovalRequest,
  EditEntry,
  EditOutcome,
  EditRequest,
  PublicDefaults,
  ReportSet,
  RunOutcome,
  RunSettings,
  WebBackend,
} from "./ports.js";

/** Starts the batch engine on one folder; the real one wraps runBatch (engine-runner.ts). */
export type BatchRunner = (
  inputDir: string,
  settings: RunSettings,
  signal: AbortSignal,
  onEvent: BatchEventListener,
) => Promise<RunOutcome>;

export interface StoreBackendOptions {
  readonly store: Store;
  readonly outDir: string;
  readonly runner: BatchRunner;
  readonly defaults: PublicDefaults;
  /** API keys known to the server, scrubbed from every response. */
  readonly secrets: readonly string[];
  readonly reference?: Reference;
}

/** Constituency parts recomputed between two turns of the event loop, and at most this many turns. */
const OVERVIEW_STEP = 4;
const MAX_OVERVIEW_STEPS = 1_000;

/**
 * The web's backend over the project's own Store, checks and report writer: the same files
 * `ballot-ocr process`/`report` produce, and review edits go through Store.applyEdit (audited).
 */
export class StoreBackend implements WebBackend {
  constructor(private readonly options: StoreBackendOptions) {}

  defaults(): PublicDefaults {
    return this.options.defaults;
  }

  secrets(): readonly string[] {
    return this.options.secrets;
  }

  reference(): Reference | null {
    return this.options.reference ?? null;
  }

  runBatch(inputDir: string, settings: RunSettings, signal: AbortSignal, onEvent: BatchEventListener): Promise<RunOutcome> {
    return this.options.runner(inputDir, settings, signal, onEvent);
  }

  async overviewAreas(): Promise<StoredOverview> {
    const store = this.options.store;
    // A few constituencies at a time with the event loop turning in between: when every part is
    // to be recomputed (a run killed before it closed the store) that takes about a second at
    // national size. The steps are bounded; whatever a concurrent run clears meanwhile is
    // recomputed by overviewAreas itself.
    for (let step = 0; step < MAX_OVERVIEW_STEPS && store.refreshOverview(OVERVIEW_STEP) > 0; step++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    return store.overviewAreas();
  }

  async queryResults(query: ResultQuery): Promise<ResultPage> {
    return this.options.store.queryResults(query);
  }

  async countResults(): Promise<Record<Status, number>> {
    return this.options.store.countResults();
  }

  async getResult(documentId: string): Promise<FormResult | null> {
    const stored = this.options.store.getResult(documentId);
    if (stored?.ok === true) return stored.value;
    const doc = stored === null ? this.options.store.getDocument(documentId) : null;
    return doc !== null && doc.status === "failed" ? this.#failedWithoutResult(doc) : null;
  }

  #failedWithoutResult(doc: DocumentRecord): FormResult {
    return failedResult(doc, doc.error ?? { code: "failed", message: "the file could not be read" });
  }

  async applyEdit(documentId: string, edit: EditRequest): Promise<EditOutcome> {
    const result = await this.getResult(documentId);
    if (result === null) return { kind: "not_found" };
    let located = locateCell(result, edit.field);
    // A total line the reader did not find at all can still be entered from the image.
    if (!located.ok && located.error.missingLine) {
      const added = this.options.store.applyEdit({
        documentId,
        fieldPath: edit.field,
        newValue: { digits: null, words: null, value: null, mark: "illegible" },
        by: edit.by,
        note: "line not found by the reader",
      });
      if (!added.ok) return { kind: "invalid", message: added.error };
      const reread = await this.getResult(documentId);
      if (reread === null) return { kind: "not_found" };
      located = locateCell(reread, edit.field);
    }
    if (!located.ok) return { kind: "invalid", message: located.error.message };
    const { cellPath, cell } = located.value;
    const store = this.options.store;
    const note = edit.note !== undefined ? { note: edit.note } : {};
    // A blank or dash cell counts as zero whatever its value, so a person's number also makes it "digits".
    const mark = edit.value === null ? "illegible" : "digits";
    if (cell.mark !== mark) {
      const marked = store.applyEdit({ documentId, fieldPath: `${cellPath}.mark`, newValue: mark, by: edit.by, ...note });
      if (!marked.ok) return { kind: "invalid", message: marked.error };
    }
    const changed = store.applyEdit({ documentId, fieldPath: `${cellPath}.value`, newValue: edit.value, by: edit.by, ...note });
    if (!changed.ok) return { kind: "invalid", message: changed.error };
    // The person is a witness of this cell, beside the readers (a later edit by the same person replaces it).
    const edited = await this.getResult(documentId);
    if (edited === null) return { kind: "not_found" };
    const person: Witness = {
      kind: "person",
      source: edit.by,
      digits: edit.value === null ? null : String(edit.value),
      words: null,
      value: edit.value,
      at: changed.value.at,
    };
    // A result read before witnesses were recorded keeps its rule; its edit still counts as a person's witness.
    if (!hasWitnesses(result)) return this.#recheck(documentId, null, edited);
    const witnessed = recordWitnesses(edited, new Map([[cellIdOf(located.value.ref), [person]]]), modelSourceOf(edited));
    return this.#recheck(documentId, null, witnessed);
  }

  /**
   * The checks, then the witness verdict, on the values as they now stand: the same rule a run
   * applies. A result from before witnesses were recorded keeps the rule it was read under.
   */
  #decide(result: FormResult): FormResult {
    const outcome = checkForm(result, this.options.reference);
    const checked: FormResult = { ...result, checks: outcome.checks, status: outcome.status, reasons: outcome.reasons };
    if (!hasWitnesses(result)) return checked;
    return applyVerdict(checked, {
      acceptSingleWitness: result.assurance === "checks" || result.provenance.singleWitnessAccepted === true,
    });
  }

  async approve(documentId: string, approval: ApprovalRequest): Promise<EditOutcome> {
    const result = await this.getResult(documentId);
    if (result === null) return { kind: "not_found" };
    const { by } = approval;
    const rechecked = this.#decide(result);
    const failing = rechecked.status === "verified" ? [] : rechecked.checks.filter((c) => !c.ok && c.severity === "error");
    const digest = reviewDigest(rechecked);
    const note = approval.note?.trim() ?? "";
    if (approval.asWritten === true) {
      if (note.length === 0) {
        return {
          kind: "invalid",
          message: "approving as written needs a note saying what is wrong on the paper",
          messageTh: "การอนุมัติตามที่เขียนต้องมีหมายเหตุว่าเอกสารผิดตรงไหน",
        };
      }
      // Every value must stand as a person read it: only the paper's own arithmetic may fail.
      const open = digest.cells.filter((c) => c.code !== "sum");
      const cellLevel = failing.filter((c) => CELL_RULES.has(c.rule));
      if (open.length > 0 || cellLevel.length > 0) {
        return refused(open.length > 0 ? open.map((c) => c.sentence) : digest.form, "confirm or correct these cells first");
      }
    } else if (rechecked.status !== "verified") {
      return refused(
        [...digest.cells.map((c) => c.sentence), ...digest.form],
        "correct the values first, or approve as written with a note",
      );
    }
    const recorded = this.options.store.applyEdit({
      documentId,
      fieldPath: "status",
      newValue: "verified",
      by,
      note: approval.asWritten === true ? `approved as written: ${note}` : "approved in review",
    });
    if (!recorded.ok) return { kind: "invalid", message: recorded.error };
    const review: NonNullable<FormResult["review"]> =
      approval.asWritten === true
        ? { approvedBy: by, approvedAt: recorded.value.at, asWritten: true, note }
        : { approvedBy: by, approvedAt: recorded.value.at };
    return this.#recheck(documentId, review);
  }

  async listEdits(documentId: string): Promise<readonly EditEntry[]> {
    const result = await this.getResult(documentId);
    return this.options.store
      .listEdits(documentId)
      .filter((e) => !e.fieldPath.endsWith(".mark"))
      .map((e) => toEntry(e, result));
  }

  async writeReports(withConstituencyPdfs: boolean): Promise<ReportSet> {
    const { outDir, reference } = this.options;
    const uploadsRoot = path.join(outDir, "uploads");
    const exported = await regenerateExports(
      this.options.store,
      outDir,
      { generatedAt: new Date().toISOString(), command: "ballot-ocr serve" },
      {
        ...(reference !== undefined ? { reference } : {}),
        // Exports name files as the person uploaded them, never by this server's own paths.
        mapResult: (result) => withUploadPaths(result, uploadsRoot),
        // The two summary PDFs always; one PDF per constituency only when asked (hundreds on a big batch).
        pdf: withConstituencyPdfs ? true : { constituencies: [] },
      },
    );
    const { stat } = await import("node:fs/promises");
    const files = await Promise.all(
      exported.files.map(async (file) => {
        const full = path.resolve(outDir, file);
        return { name: path.relative(outDir, full).split(path.sep).join("/"), path: full, bytes: (await stat(full)).size };
      }),
    );
    return { files, invalid: exported.invalid, warnings: exported.warnings };
  }

  async close(): Promise<void> {
    this.options.store.close();
  }

  /** Runs the checks again on the stored (edited) result and saves status, checks and reasons. */
  async #recheck(documentId: string, review: FormResult["review"] | null, current?: FormResult): Promise<EditOutcome> {
    const edited = current ?? (await this.getResult(documentId));
    if (edited === null) return { kind: "not_found" };
    const { review: _previous, ...rest } = this.#decide(edited);
    // An edit after approval withdraws the approval: the approved numbers changed.
    const updated: FormResult = { ...rest, ...(review !== null && review !== undefined ? { review } : {}) };
    // Approved as written: the person vouches for the paper, whose own sums stay listed as reasons.
    const final: FormResult = review?.asWritten === true ? { ...updated, status: "verified" } : updated;
    this.options.store.saveResult(final);
    return { kind: "ok", result: final };
  }
}

function withUploadPaths(result: FormResult, uploadsRoot: string): FormResult {
  const sources = result.document.sources.map((source) => ({ ...source, path: displayPath(source.path, uploadsRoot) }));
  return { ...result, document: { ...result.document, sources } };
}

/** Hard checks that judge one cell as read (not the paper's arithmetic). */
const CELL_RULES: ReadonlySet<string> = new Set([
  "cell-value",
  "cell-legible",
  "digits-parse",
  "digits-words",
  "good-present",
  "witness-agreement",
  "row-alignment",
]);

function hasWitnesses(result: FormResult): boolean {
  return result.assurance !== undefined || result.votes.some((r) => r.witnesses) || Object.values(result.totals).some((c) => c?.witnesses);
}

function modelSourceOf(result: FormResult): string {
  return `${result.provenance.provider ?? "reader"}:${result.provenance.model ?? "unknown"}`;
}

function refused(sentences: readonly Sentence[], what: string): EditOutcome {
  const shown = sentences.slice(0, 5);
  const more = sentences.length - shown.length;
  const tail = more > 0 ? ` … and ${more} more.` : "";
  const tailTh = more > 0 ? ` … และอีก ${more} รายการ` : "";
  return {
    kind: "invalid",
    message: `Not approved: ${what}. ${shown.map((s) => s.en).join(" ")}${tail}`,
    messageTh: `ยังอนุมัติไม่ได้: ${shown.map((s) => s.th).join(" ")}${tailTh}`,
  };
}

/** Why a field has no cell: a total line the reader did not find (a person may add it), or no such field. */
interface LocateError {
  readonly missingLine: boolean;
  readonly message: string;
}

/** "totals.good" or "votes.3" (printed row number) → the cell's dot path in the result. */
function locateCell(result: FormResult, field: string): Result<{ cellPath: string; cell: NumberCell; ref: CellRef }, LocateError> {
  const [group, key] = field.split(".");
  if (group === "totals" && key !== undefined && key in result.totals) {
    const cell = result.totals[key as keyof FormResult["totals"]];
    if (cell === null) return err({ missingLine: true, message: `the form has no "${key}" line` });
    return ok({ cellPath: `totals.${key}`, cell, ref: { kind: "total", key: key as TotalKey } });
  }
  if (group === "votes" && key !== undefined) {
    const index = result.votes.findIndex((row) => row.number === Number(key));
    const row = result.votes[index];
    if (row === undefined) return err({ missingLine: false, message: `no vote row number ${key}` });
    return ok({ cellPath: `votes.${index}`, cell: row, ref: { kind: "row", number: row.number } });
  }
  return err({ missingLine: false, message: `unknown field "${field}"` });
}

function toEntry(edit: EditRecord, result: FormResult | null): EditEntry {
  let field = edit.fieldPath.replace(/\.value$/, "");
  const voteIndex = /^votes\.(\d+)$/.exec(field);
  if (voteIndex !== null && result !== null) {
    const row = result.votes[Number(voteIndex[1])];
    if (row !== undefined) field = `votes.${row.number}`;
  }
  return {
    documentId: edit.documentId,
    field,
    oldValue: plain(edit.oldValue),
    newValue: plain(edit.newValue),
    by: edit.by,
    at: edit.at,
    ...(edit.note !== null ? { note: edit.note } : {}),
  };
}

function plain(value: unknown): number | string | null {
  return typeof value === "number" || typeof value === "string" ? value : null;
}
