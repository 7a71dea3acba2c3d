import type { CellId, Witness, WitnessesByCell } from "../forms/evidence.js";
import type { FormResult } from "../forms/form-result.js";
import type { DiscoveredDocument, PreparedPage } from "../ingest/types.js";
import { allCells, cellIdOf } from "../verify/cells.js";
import { neededVerdicts, readingWitness } from "../verify/verdict.js";
import { buildDraft, type PageReply } from "./assemble.js";
import { readRequests, sendablePages } from "./read-requests.js";
import type { GatedOutcome, ProviderGate, RequestMode, WitnessContext, WitnessReport, WitnessSource } from "./types.js";

/** --verify-when: only forms with a disputed or single-witness cell, or every form. */
export const VERIFY_WHEN = ["disputed", "always"] as const;
export type VerifyWhen = (typeof VERIFY_WHEN)[number];

export interface SecondModelSettings {
  readonly when: VerifyWhen;
  /** "provider:model" of the second model, its witnesses' source. */
  readonly source: string;
  readonly requestMode: RequestMode;
  readonly maxOutputTokens?: number | undefined;
}

/** What the second model's read gave: its witnesses, or why there are none. */
export type SecondModelReading =
  | { readonly kind: "read"; readonly cells: WitnessesByCell }
  | { readonly kind: "unread"; readonly outcome: Exclude<GatedOutcome<unknown>, { kind: "ok" }> };

/**
 * Whether a form, as decided so far, needs the second model under --verify-when disputed: some
 * needed cell is disputed or rests on a single witness (or has no verdict yet).
 */
export function wantsSecondModel(decided: FormResult): boolean {
  if (decided.status === "failed") return false;
  return neededVerdicts(decided).some(({ verdict }) => verdict === undefined || verdict === "disputed" || verdict === "single");
}

/**
 * Reads the document with the second model: the same request a first read makes (same pages,
 * same prompt), sent with purpose "verify" so the gate routes it to that model on its own
 * limiter. It is never shown the first model's answer. Each cell it read becomes a
 * `second_model` witness.
 */
export async function readWithSecondModel(
  doc: DiscoveredDocument,
  pages: readonly PreparedPage[],
  gate: ProviderGate,
  settings: SecondModelSettings,
  signal: AbortSignal,
  count: (outcome: GatedOutcome<unknown>) => void,
): Promise<SecondModelReading> {
  const sendable = sendablePages(pages);
  const replies: PageReply[] = [];
  const requests = readRequests(doc, pages, sendable, {
    requestMode: settings.requestMode,
    purpose: "verify",
    maxOutputTokens: settings.maxOutputTokens,
  });
  for (const { pages: covered, request } of requests) {
    const outcome = await gate.call(request, signal);
    count(outcome);
    if (outcome.kind !== "ok") return { kind: "unread", outcome };
    replies.push({ pages: covered, reply: outcome.reply });
  }
  const draft = buildDraft({ doc, pages, replies });
  return { kind: "read", cells: witnessesFrom(draft.result, settings.source) };
}

/** Every cell a reading holds, as witnesses of the given kind and source. */
export function witnessesFrom(reading: FormResult, source: string, kind: Witness["kind"] = "second_model"): WitnessesByCell {
  const cells = new Map<CellId, Witness[]>();
  for (const { ref, cell } of allCells(reading)) {
    const page = ref.kind === "row" ? reading.votes.find((row) => row.number === ref.number)?.page : undefined;
    cells.set(cellIdOf(ref), [readingWitness(kind, source, ref, cell, page)]);
  }
  return cells;
}

/**
 * The second model as a witness source: with --verify-when always it reads every document in
 * parallel with the first model; with "disputed" only after the verdict, when a needed cell is
 * disputed or single. A read it could not make leaves a note; the cells stay as they were.
 */
export function secondModelSource(settings: SecondModelSettings): WitnessSource {
  const read = async (context: WitnessContext): Promise<WitnessReport | null> => {
    const reading = await readWithSecondModel(context.doc, context.pages, context.gate, settings, context.signal, (o) => context.count(o));
    if (reading.kind === "read") return { cells: reading.cells };
    if (context.signal.aborted) return null;
    return { cells: new Map(), notes: [`no second-model read (${reading.outcome.kind}: ${reading.outcome.message})`] };
  };
  if (settings.when === "always") return { name: "second_model", read };
  return { name: "second_model", review: (context, decided) => (wantsSecondModel(decided) ? read(context) : Promise.resolve(null)) };
}
