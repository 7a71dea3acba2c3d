import { nextUtcMidnight } from "../basics/utc-day.js";
import { type FormKind, formLayout } from "../forms/form-kind.js";
import { errorMessage } from "../basics/error-message.js";
import { failedResult } from "../forms/failed-result.js";
import { type FormResult, EMPTY_PROVENANCE } from "../forms/form-result.js";
import type { DiscoveredDocument, PreparedPage } from "../ingest/types.js";
import type { Usage } from "../providers/provider.js";
import { mapCells } from "../verify/cells.js";
import type { ReferenceLookup } from "../verify/reference-lookup.js";
import { type PageReply, buildDraft, checkDraft, pageInfos } from "./assemble.js";
import { REASK_REPLY_SCHEMA_NAME, ReaskReplySchema } from "./model-reply.js";
import { reaskPrompt } from "./prompts.js";
import { pageImage, readRequests, sendablePages } from "./read-requests.js";
import { hasHardFailures, reconcileReask, type SuspectCells, suspectCells } from "./reask.js";
import type { ExtractOptions, GatedOutcome, ProviderGate, WitnessContext, WitnessReport, WitnessSource } from "./types.js";
import { applyVerdict, recordWitnesses } from "../verify/verdict.js";

export interface ExtractDocumentInput {
  readonly doc: DiscoveredDocument;
  readonly pages: readonly PreparedPage[];
  readonly reference?: ReferenceLookup | undefined;
}

/**
 * "done": the document has a result to save (verified, needs_review, or failed for this document).
 * "interrupted": nothing is saved and the document stays pending (quota, a batch-wide fatal error,
 * or cancellation).
 */
export type DocumentExtraction =
  | { readonly kind: "done"; readonly result: FormResult }
  | {
      readonly kind: "interrupted";
      readonly outcome: "quota" | "fatal" | "cancelled";
      readonly message: string;
      readonly retryAfterMs?: number | null;
      /** Epoch ms when the quota resets, when the provider gave an absolute time. */
      readonly resetAt?: number;
    };

type Interruption = Extract<DocumentExtraction, { kind: "interrupted" }>;

/**
 * When the quota that interrupted a document resets: the absolute time where one is known (a
 * round trip through "ms from now" would drift by the time it took), else now + the hint, else
 * the next UTC midnight.
 */
export function interruptionResetAt(interruption: Interruption, now: number): number {
  if (interruption.resetAt !== undefined) return interruption.resetAt;
  return interruption.retryAfterMs == null ? nextUtcMidnight(now) : now + interruption.retryAfterMs;
}

/** Adds up what every request of one document cost. */
class RequestTally {
  requests = 0;
  attempts = 0;
  promptTokens: number | null = null;
  completionTokens: number | null = null;
  costUsd: number | null = null;
  model: string | null = null;

  record(outcome: GatedOutcome<unknown>): void {
    this.requests++;
    this.attempts += outcome.attempts ?? 1;
    if (outcome.kind === "ok") {
      this.model ??= outcome.model;
      this.addUsage(outcome.usage);
    } else if (outcome.kind === "invalid_output") {
      this.addUsage(outcome.usage);
    }
  }

  private addUsage(usage: Usage): void {
    if (usage.promptTokens !== null) this.promptTokens = (this.promptTokens ?? 0) + usage.promptTokens;
    if (usage.completionTokens !== null) this.completionTokens = (this.completionTokens ?? 0) + usage.completionTokens;
    if (usage.costUsd !== null) this.costUsd = (this.costUsd ?? 0) + usage.costUsd;
  }
}

/**
 * Reads one document: one request for all its count pages (or one per page), assembly and checks,
 * and one focused re-ask when hard checks fail; meanwhile the witnesses read it on their own.
 * Their readings are recorded on the cells and the verdict rule decides the status. Every
 * request goes through the gate.
 */
export async function extractDocument(
  input: ExtractDocumentInput,
  gate: ProviderGate,
  options: ExtractOptions,
  signal: AbortSignal,
): Promise<DocumentExtraction> {
  const sources = options.witnesses ?? [];
  const verdict = options.verdict ?? {};
  // Witness reads stop with the document: a failed or interrupted read needs none of them.
  const witnessing = new AbortController();
  const stop = () => witnessing.abort();
  signal.addEventListener("abort", stop, { once: true });
  const extra = new RequestTally();
  const context: WitnessContext = {
    doc: input.doc,
    pages: input.pages,
    gate,
    signal: witnessing.signal,
    count: (outcome) => extra.record(outcome),
  };
  const early = sources.map((source) => settle(source.read ? source.read(context) : Promise.resolve(null)));
  try {
    const first = await readWithModel(input, gate, options, signal);
    if (first.kind !== "done" || first.result.status === "failed") return first;
    const modelSource = `${first.result.provenance.provider ?? options.providerName}:${first.result.provenance.model ?? options.model}`;
    let result = first.result;
    const cpu = { ms: 0, pages: 0 };
    const record = (source: WitnessSource, report: Settled): void => {
      if (!report.ok) {
        result = {
          ...result,
          checks: [
            ...result.checks,
            { rule: "witness-agreement", ok: true, severity: "info", detail: `${source.name}: no reading (${report.error})` },
          ],
        };
        return;
      }
      if (!report.value) return;
      cpu.ms += report.value.cpuMs ?? 0;
      cpu.pages += report.value.pagesRead ?? 0;
      // The first reader was this source's own reader: its witnesses stand for that reading.
      const ownReading = source.readerModel !== undefined && source.readerModel === first.result.provenance.model;
      result = recordWitnesses(ownReading ? withoutWitnesses(result) : result, report.value.cells, modelSource);
    };
    const reports = await Promise.all(early);
    sources.forEach((source, i) => {
      record(source, reports[i]!);
    });
    result = applyVerdict(recordWitnesses(result, new Map(), modelSource), verdict);
    for (const source of sources) {
      if (!source.review) continue;
      if (signal.aborted) return { kind: "interrupted", outcome: "cancelled", message: "cancelled" };
      record(source, await settle(source.review(context, result)));
      result = applyVerdict(result, verdict);
    }
    return { kind: "done", result: withWitnessCosts(result, extra, cpu, verdict.acceptSingleWitness === true) };
  } finally {
    signal.removeEventListener("abort", stop);
    stop();
  }
}

type Settled = { readonly ok: true; readonly value: WitnessReport | null } | { readonly ok: false; readonly error: string };

/** A witness that fails adds nothing; the document goes on without it. */
function settle(report: Promise<WitnessReport | null>): Promise<Settled> {
  return report.then(
    (value): Settled => ({ ok: true, value }),
    (error: unknown): Settled => ({ ok: false, error: errorMessage(error) }),
  );
}

/** Cells with an empty witness list: the next witnesses recorded are the only ones. */
function withoutWitnesses(result: FormResult): FormResult {
  return mapCells(result, (cell) => ({ ...cell, witnesses: [] }));
}

/** The witnesses' requests and CPU added to the document's provenance. */
function withWitnessCosts(result: FormResult, extra: RequestTally, cpu: { ms: number; pages: number }, accepted: boolean): FormResult {
  const p = result.provenance;
  const add = (a: number | null, b: number | null) => (a === null && b === null ? null : (a ?? 0) + (b ?? 0));
  return {
    ...result,
    provenance: {
      ...p,
      requests: p.requests + extra.requests,
      attempts: p.attempts + extra.attempts,
      promptTokens: add(p.promptTokens, extra.promptTokens),
      completionTokens: add(p.completionTokens, extra.completionTokens),
      costUsd: add(p.costUsd, extra.costUsd),
      ...(cpu.pages > 0 ? { witnessCpuMs: Math.round(cpu.ms), witnessPages: cpu.pages } : {}),
      ...(accepted ? { singleWitnessAccepted: true } : {}),
    },
  };
}

/** The first model's reading of a document, checked: the work before any witness is heard. */
async function readWithModel(
  input: ExtractDocumentInput,
  gate: ProviderGate,
  options: ExtractOptions,
  signal: AbortSignal,
): Promise<DocumentExtraction> {
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const tally = new RequestTally();
  const finish = (result: FormResult, promptVersion: string | null, agreeingReads?: number): DocumentExtraction => ({
    kind: "done",
    result: {
      ...result,
      provenance: {
        ...EMPTY_PROVENANCE,
        provider: options.providerName,
        model: tally.model ?? options.model,
        promptVersion,
        requests: tally.requests,
        attempts: tally.attempts,
        promptTokens: tally.promptTokens,
        completionTokens: tally.completionTokens,
        costUsd: tally.costUsd,
        ...(agreeingReads !== undefined ? { agreeingReads } : {}),
        startedAt,
        finishedAt: now().toISOString(),
      },
    },
  });
  const cancelled: Interruption = { kind: "interrupted", outcome: "cancelled", message: "cancelled" };

  try {
    const { doc, pages } = input;
    const sendable = sendablePages(pages);
    if (sendable.length === 0) {
      return finish(failedExtraction(input, "no_count_pages", "the document has no page with counts to send"), null);
    }
    const formKind = doc.pathMetadata.formKind?.value ?? null;

    const replies: PageReply[] = [];
    let promptVersion: string | null = null;
    const requests = readRequests(doc, pages, sendable, {
      requestMode: options.requestMode,
      purpose: "read",
      maxOutputTokens: options.maxOutputTokens,
    });
    for (const { pages: pageNumbers, request } of requests) {
      promptVersion = request.promptVersion;
      const outcome = await gate.call(request, signal);
      if (signal.aborted) return cancelled;
      tally.record(outcome);
      if (outcome.kind !== "ok") {
        const stop = interruption(outcome);
        if (stop) return stop;
        return finish(failedExtraction(input, errorCode(outcome.kind), outcome.message), promptVersion);
      }
      replies.push({ pages: pageNumbers, reply: outcome.reply });
    }

    const draft = buildDraft({ doc, pages, replies, reference: input.reference });
    const firstResult = checkDraft(draft, input.reference);
    if (!options.reask || !hasHardFailures(firstResult)) return finish(firstResult, promptVersion, 1);

    // One focused second look at the suspect cells, with the same page images.
    const asked = suspectCells(firstResult);
    if (asked.rows.length === 0 && asked.totals.length === 0) return finish(firstResult, promptVersion, 1);
    const reaskPages = pagesShowing(firstResult.formKind, asked, pages, sendable);
    const prompt = reaskPrompt({
      documentId: doc.id,
      formKind: firstResult.formKind ?? formKind,
      rows: asked.rows,
      totals: asked.totals,
      pages: reaskPages.map((page) => page.index),
    });
    const versions = `${promptVersion}+${prompt.promptVersion}`;
    const outcome = await gate.call(
      {
        documentId: doc.id,
        purpose: "reask",
        promptVersion: prompt.promptVersion,
        system: prompt.system,
        user: prompt.user,
        images: reaskPages.map(pageImage),
        replySchema: ReaskReplySchema,
        schemaName: REASK_REPLY_SCHEMA_NAME,
        ...(options.reaskModel !== undefined ? { model: options.reaskModel } : {}),
        ...(options.maxOutputTokens !== undefined ? { maxOutputTokens: options.maxOutputTokens } : {}),
      },
      signal,
    );
    if (signal.aborted) return cancelled;
    tally.record(outcome);
    if (outcome.kind !== "ok") {
      if (outcome.kind === "fatal" && outcome.scope === "batch") return interruption(outcome) ?? cancelled;
      // The first read is paid for and kept; the document goes to review without a second opinion.
      const reason = `no second read (${outcome.kind}: ${outcome.message})`;
      return finish({ ...firstResult, reasons: [...firstResult.reasons, reason] }, versions, 1);
    }
    const reconciled = reconcileReask(draft, firstResult, asked, outcome.reply, input.reference);
    return finish(reconciled.result, versions, reconciled.confirmed ? 2 : 1);
  } catch (error) {
    if (signal.aborted) return cancelled;
    throw error;
  }
}

/**
 * The count pages that print the suspect cells, by the form's layout (a party-list row on page 2
 * needs only page 2); all count pages when the kind is unknown or a cell's page is not at hand.
 */
export function pagesShowing(
  kind: FormKind | null,
  asked: SuspectCells,
  pages: readonly PreparedPage[],
  sendable: readonly PreparedPage[],
): readonly PreparedPage[] {
  if (kind === null) return sendable;
  const layout = formLayout(kind);
  // Trust the layout only when the document's pages look like it (same count, same known roles).
  const matches = pages.length === layout.length && pages.every((page, i) => page.role === "unknown" || page.role === layout[i]?.role);
  if (!matches) return sendable;
  const wanted = new Set<number>();
  for (const row of asked.rows) {
    const index = layout.findIndex((page) => page.rows !== null && row >= page.rows[0] && row <= page.rows[1]);
    if (index < 0) return sendable;
    wanted.add(index + 1);
  }
  for (const key of asked.totals) {
    const index = layout.findIndex((page) => (key === "voteTotal" ? page.hasTotalLine : page.hasTotals));
    if (index < 0) return sendable;
    wanted.add(index + 1);
  }
  const chosen = sendable.filter((page) => wanted.has(page.index));
  return chosen.length === wanted.size ? chosen : sendable;
}

/** Outcomes that stop the document without a result: the daily quota and batch-wide fatal errors. */
function interruption(outcome: Exclude<GatedOutcome<unknown>, { kind: "ok" }>): Interruption | null {
  if (outcome.kind === "fatal" && outcome.scope === "batch") {
    return { kind: "interrupted", outcome: "fatal", message: outcome.message };
  }
  if (outcome.kind === "rate_limited") {
    // The gate waits out per-request and per-minute limits itself; reaching here means the quota is spent.
    return {
      kind: "interrupted",
      outcome: "quota",
      message: outcome.message,
      retryAfterMs: outcome.retryAfterMs,
      ...(outcome.resetAt !== undefined ? { resetAt: outcome.resetAt } : {}),
    };
  }
  return null;
}

function errorCode(kind: "fatal" | "transient" | "invalid_output" | "rate_limited"): string {
  switch (kind) {
    case "fatal":
      return "request_rejected";
    case "transient":
      return "provider_unavailable";
    case "invalid_output":
      return "invalid_output";
    case "rate_limited":
      return "rate_limited";
  }
}

/** A result for a document that could not be read, with its prepared pages. */
function failedExtraction(input: ExtractDocumentInput, code: string, message: string): FormResult {
  return failedResult(input.doc, { code, message }, {}, pageInfos(input.pages));
}
