import { formatDuration } from "../basics/format.js";
import type { RejectedInput } from "../ingest/types.js";
import type { Store } from "../storage/store.js";
import { nextUtcMidnight } from "./clock.js";
import type { DocumentPipeline } from "./pipeline.js";
import type { RateLimits } from "./rate-limiter.js";

export interface PlannedDocument {
  readonly path: string;
  readonly status: "new" | "pending" | "verified" | "needs_review" | "failed";
  /** null when the document was not prepared (sampling) or could not be. */
  readonly pages: number | null;
  readonly sentPages: number | null;
  readonly requests: number | null;
  readonly error: string | null;
}

export interface BatchPlan {
  readonly documents: readonly PlannedDocument[];
  readonly rejected: readonly RejectedInput[];
  readonly duplicatePaths: number;
  readonly toProcess: number;
  readonly alreadyDone: number;
  readonly pages: number;
  readonly sentPages: number;
  /** First reads only (retries and re-asks come on top). */
  readonly requests: number;
  /** True when only a sample was prepared and the totals are extrapolated. */
  readonly sampled: boolean;
}

/**
 * What `process` would do, without sending anything: documents found, which are already finished,
 * pages and requests. Pages come from preparing each document to process (CPU only); above
 * `sampleLimit` documents an even sample is prepared and the totals extrapolated.
 */
export async function planBatch(
  inputs: readonly string[],
  pipeline: DocumentPipeline,
  store: Store | null,
  signal: AbortSignal,
  sampleLimit = 300,
): Promise<BatchPlan> {
  const discovery = await pipeline.discover(inputs, signal);
  const seen = new Map<string, number>();
  for (const doc of discovery.documents) seen.set(doc.id, (seen.get(doc.id) ?? 0) + 1);
  const unique = [...new Map(discovery.documents.map((d) => [d.id, d])).values()];
  const statusOf = (id: string): PlannedDocument["status"] => store?.getDocument(id)?.status ?? "new";
  const todo = unique.filter((d) => {
    const status = statusOf(d.id);
    return status === "new" || status === "pending";
  });
  const step = todo.length > sampleLimit ? todo.length / sampleLimit : 1;
  const sampleIds = new Set<string>();
  for (let i = 0; i < todo.length; i += step) {
    const doc = todo[Math.floor(i)];
    if (doc) sampleIds.add(doc.id);
  }
  const documents: PlannedDocument[] = [];
  let pages = 0;
  let sentPages = 0;
  let requests = 0;
  let prepared = 0;
  for (const doc of unique) {
    const status = statusOf(doc.id);
    if (!sampleIds.has(doc.id)) {
      documents.push({ path: doc.primaryPath, status, pages: null, sentPages: null, requests: null, error: null });
      continue;
    }
    const result = await pipeline.prepare(doc, signal);
    if (!result.ok) {
      documents.push({ path: doc.primaryPath, status, pages: null, sentPages: null, requests: 0, error: result.error.message });
      prepared++;
      continue;
    }
    const sent = result.value.filter((p) => p.jpeg !== null).length;
    const planned = pipeline.plannedRequests(result.value);
    documents.push({ path: doc.primaryPath, status, pages: result.value.length, sentPages: sent, requests: planned, error: null });
    pages += result.value.length;
    sentPages += sent;
    requests += planned;
    prepared++;
  }
  const scale = prepared === 0 ? 0 : todo.length / prepared;
  return {
    documents,
    rejected: discovery.rejected,
    duplicatePaths: discovery.documents.length - unique.length,
    toProcess: todo.length,
    alreadyDone: unique.length - todo.length,
    pages: Math.round(pages * scale),
    sentPages: Math.round(sentPages * scale),
    requests: Math.round(requests * scale),
    sampled: scale !== 1 && prepared > 0,
  };
}

export interface DurationEstimate {
  /** null when no client limit bounds the rate (the provider's speed decides). */
  readonly ms: number | null;
  readonly days: number;
  readonly finishAt: number | null;
  readonly text: string;
}

/** How long `requests` take under the limits, counting the daily cap and what today already used. */
export function estimateDuration(requests: number, limits: RateLimits, usedToday: number, nowMs: number): DurationEstimate {
  const perSecond = [limits.rps, limits.rpm === null ? null : limits.rpm / 60].filter((v): v is number => v !== null && v > 0);
  const rate = perSecond.length > 0 ? Math.min(...perSecond) : null;
  const rateText =
    limits.rps !== null && (limits.rpm === null || limits.rps <= limits.rpm / 60)
      ? `${limits.rps} rps`
      : limits.rpm !== null
        ? `${limits.rpm} rpm`
        : "";
  if (requests === 0) return { ms: 0, days: 0, finishAt: nowMs, text: "0 requests: nothing to send" };
  if (limits.rpd === null) {
    if (rate === null)
      return { ms: null, days: 0, finishAt: null, text: `${requests} requests → no client limit; the provider's speed decides` };
    const ms = (requests / rate) * 1000;
    return { ms, days: 0, finishAt: nowMs + ms, text: `${requests} requests → about ${formatDuration(ms)} at ${rateText}` };
  }
  const perDay = limits.rpd;
  const leftToday = Math.max(0, perDay - usedToday);
  const secondsFor = (n: number) => (rate === null ? 0 : n / rate);
  if (requests <= leftToday) {
    const ms = secondsFor(requests) * 1000;
    return {
      ms,
      days: 0,
      finishAt: nowMs + ms,
      text: `${requests} requests → about ${formatDuration(ms)}${rate === null ? "" : ` at ${rateText}`}, within today's ${leftToday} left of ${perDay}/day`,
    };
  }
  const afterToday = requests - leftToday;
  const fullDays = Math.floor(afterToday / perDay);
  const lastDay = afterToday - fullDays * perDay;
  const extraDays = fullDays + (lastDay > 0 ? 1 : 0);
  const lastDayCount = lastDay > 0 ? lastDay : perDay;
  const finishAt = nextUtcMidnight(nowMs) + (extraDays - 1) * 86_400_000 + secondsFor(lastDayCount) * 1000;
  const days = (finishAt - nowMs) / 86_400_000;
  const share = rate === null ? "" : ` (each day's ${perDay} take ${formatDuration(secondsFor(perDay) * 1000)} at ${rateText})`;
  return {
    ms: finishAt - nowMs,
    days,
    finishAt,
    text: `${requests} requests → ${days.toFixed(1)} days at ${perDay}/day${share}, ${leftToday} left today; finishes about ${new Date(finishAt).toISOString().slice(0, 16)}Z`,
  };
}

/** Time for the offline reader to read `pages` count pages on `threads` worker threads. */
export function estimateLocalRead(pages: number, cpuSecondsPerPage: number, threads: number): { ms: number; text: string } {
  const ms = (pages * cpuSecondsPerPage * 1000) / Math.max(1, threads);
  return { ms, text: `${pages} page(s) at about ${cpuSecondsPerPage} s of CPU each on ${threads} thread(s) → about ${formatDuration(ms)}` };
}
