import type { Clock } from "../../../src/batch/clock.js";
import type { ExtractionOutcome, ExtractionRequest, Provider } from "../../../src/providers/provider.js";
import { DailyCap, pickFault, SlidingWindows } from "../../support/provider-limits.js";

/**
 * An in-process provider with configurable latency and faults, for engine tests and the bench.
 * It counts calls per document, and paid calls (answers that cost quota) per document.
 */
export interface SimulatedProviderOptions {
  /** Latency of one call, ms. */
  readonly latencyMs: () => number;
  readonly random?: () => number;
  /** Probabilities per call. */
  readonly p5xx?: number;
  readonly pHang?: number;
  readonly pBadJson?: number;
  /** Server-side limit: at most `max` calls in any `windowMs`; beyond it a 429 with Retry-After. */
  readonly serverLimit?: { readonly max: number; readonly windowMs: number; readonly retryAfterMs: number };
  /** Daily cap: after this many successful calls, a day-scope 429. */
  readonly dailyCap?: number;
  /** Every call fails with 401 (after `refusalMs`, default at once). */
  readonly unauthorized?: boolean;
  readonly refusalMs?: number;
  readonly costUsd?: number;
  /** Per-document scripted outcomes, consumed in order before the random faults apply. */
  readonly script?: Map<string, Array<ScriptedStep>>;
  /** Latency passes on this clock (a FakeClock in tests); default real time. */
  readonly clock?: Clock;
}

/** One scripted call: a fault, or a normal answer. */
export type ScriptedStep = "5xx" | "bad_json" | "fatal_doc" | "hang" | "ok";

export interface SimulatedProvider extends Provider {
  readonly calls: Map<string, number>;
  /** Successful (ok) answers per document: more than one means a finished document was paid for twice. */
  readonly paidCalls: Map<string, number>;
  readonly stats: { total: number; ok: number; status429: number; status5xx: number; hangs: number; badJson: number };
  /** A new day: the daily cap starts again. */
  resetDay(): void;
}

export function createSimulatedProvider(options: SimulatedProviderOptions): SimulatedProvider {
  const random = options.random ?? Math.random;
  const calls = new Map<string, number>();
  const paidCalls = new Map<string, number>();
  const stats = { total: 0, ok: 0, status429: 0, status5xx: 0, hangs: 0, badJson: 0 };
  const windows = options.serverLimit ? new SlidingWindows([options.serverLimit]) : null;
  const daily = new DailyCap(options.dailyCap);

  const wait = (ms: number, signal: AbortSignal) =>
    new Promise<boolean>((resolve) => {
      if (signal.aborted) return resolve(false);
      const done = () => {
        signal.removeEventListener("abort", onAbort);
        resolve(true);
      };
      const cancel = options.clock ? options.clock.setTimer(ms, done) : clearTimerOf(setTimeout(done, ms));
      const onAbort = () => {
        cancel();
        resolve(false);
      };
      signal.addEventListener("abort", onAbort, { once: true });
    });

  const provider: SimulatedProvider = {
    name: "simulated",
    model: "sim/vision",
    metered: true,
    calls,
    paidCalls,
    stats,
    resetDay() {
      daily.reset();
    },
    async extract<T>(request: ExtractionRequest<T>, { signal }: { signal: AbortSignal }): Promise<ExtractionOutcome<T>> {
      stats.total++;
      calls.set(request.documentId, (calls.get(request.documentId) ?? 0) + 1);
      if (options.unauthorized) {
        if (options.refusalMs) await wait(options.refusalMs, signal);
        return { kind: "fatal", scope: "batch", message: "401: invalid API key", status: 401 };
      }
      if (windows && options.serverLimit) {
        const now = Date.now();
        if (windows.waitMs(now) !== null) {
          stats.status429++;
          return { kind: "rate_limited", retryAfterMs: options.serverLimit.retryAfterMs, scope: "request", message: "429 rate limited" };
        }
        windows.accept(now);
      }
      if (daily.reached) {
        stats.status429++;
        return { kind: "rate_limited", retryAfterMs: null, scope: "day", message: "429 free-models-per-day" };
      }
      daily.take();
      const scripted = options.script?.get(request.documentId)?.shift();
      const roll = random();
      const randomFault = pickFault(roll, [
        ["5xx", options.p5xx ?? 0],
        ["hang", options.pHang ?? 0],
        ["bad_json", options.pBadJson ?? 0],
      ] as const);
      const fault = scripted ?? randomFault ?? "ok";
      if (fault === "hang") {
        stats.hangs++;
        await wait(3_600_000, signal);
        return { kind: "transient", message: "aborted" };
      }
      const finished = await wait(options.latencyMs(), signal);
      if (!finished) return { kind: "transient", message: "aborted" };
      if (fault === "5xx") {
        stats.status5xx++;
        return { kind: "transient", message: "502 bad gateway", status: 502 };
      }
      if (fault === "fatal_doc") return { kind: "fatal", scope: "document", message: "400 image too large", status: 400 };
      const usage = { promptTokens: 1000, completionTokens: 200, costUsd: options.costUsd ?? null };
      if (fault === "bad_json") {
        stats.badJson++;
        return { kind: "invalid_output", message: "reply is not JSON", usage };
      }
      stats.ok++;
      paidCalls.set(request.documentId, (paidCalls.get(request.documentId) ?? 0) + 1);
      const reply = request.replySchema.parse({ documentId: request.documentId, votes: [12, 7, 0] });
      return { kind: "ok", reply, usage, model: "sim/vision" };
    },
  };
  return provider;
}

function clearTimerOf(timer: NodeJS.Timeout): () => void {
  return () => clearTimeout(timer);
}
