import { InvalidArgumentError } from "commander";
import type { RateLimits } from "../../batch/rate-limiter.js";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../../batch/retry-policy.js";
import type { VerifyWhen } from "../../extract/second-model.js";
import type { RequestMode } from "../../extract/types.js";
import type { ProgressMode } from "../progress/progress-renderer.js";

export { describeLimits } from "../../batch/rate-limiter.js";

/** The flags of `ballot-ocr process`, shared by the local run and the queued (`--queue`) run. */
export interface ProcessCommandOptions {
  out: string;
  workers?: number;
  rps?: number;
  rpm?: number;
  rpd?: number;
  maxAttempts: number;
  timeout: number;
  maxRequests?: number;
  maxCost?: number;
  dryRun?: boolean;
  progress: ProgressMode;
  waitForQuota?: boolean;
  requestMode: RequestMode;
  reask: boolean;
  /** --no-witness: no offline reader beside a remote model. */
  witness: boolean;
  /** --accept-single-witness: single-witness cells count, with assurance "checks". */
  acceptSingleWitness?: boolean;
  /** Crop re-asks of disputed cells (default on; --no-crop-reask). */
  cropReask: boolean;
  reference?: string;
  retryFailed?: boolean;
  /** False with --no-pdf: skip the PDF reports. */
  pdf?: boolean;
  /** Scale-out (issue 7): coordinate `ballot-ocr worker` processes through this Redis queue. */
  queue?: string;
  queueWindow?: number;
  provider?: string;
  baseUrl?: string;
  model?: string;
  /** With --provider cascade: the remote preset for what the local reader cannot verify. */
  cascadeRemote?: string;
  /** A second model, PRESET[:MODEL], that reads independently (issue 13). */
  verifyWith?: string;
  /** Which forms the second model reads: those with a disputed or single-witness cell, or all. */
  verifyWhen?: VerifyWhen;
  verifyBaseUrl?: string;
}

export function positiveInteger(flag: string) {
  return (text: string): number => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1) {
      throw new InvalidArgumentError(`${flag} must be a whole number of at least 1, got "${text}".`);
    }
    return value;
  };
}

/** A limit: a positive number, or 0 for "no limit of this kind". */
export function limitValue(flag: string) {
  return (text: string): number => {
    const value = Number(text);
    if (text.trim() === "" || !Number.isFinite(value) || value < 0) {
      throw new InvalidArgumentError(`${flag} must be a number ≥ 0 (0 = no limit), got "${text}".`);
    }
    return value;
  };
}

export function positiveNumber(flag: string) {
  return (text: string): number => {
    const value = Number(text);
    if (text.trim() === "" || !Number.isFinite(value) || value <= 0) {
      throw new InvalidArgumentError(`${flag} must be a number above 0, got "${text}".`);
    }
    return value;
  };
}

/** --rps/--rpm/--rpd over the preset's defaults; 0 turns a limit off. */
export function limitsFrom(options: ProcessCommandOptions, defaults: RateLimits): RateLimits {
  const pick = (flag: number | undefined, fallback: number | null) => (flag === undefined ? fallback : flag === 0 ? null : flag);
  return { rps: pick(options.rps, defaults.rps), rpm: pick(options.rpm, defaults.rpm), rpd: pick(options.rpd, defaults.rpd) };
}

/** The run settings both process paths (local and --queue) take from the same flags. */
export function sharedRunSettings(options: ProcessCommandOptions): {
  retry: RetryPolicy;
  timeoutMs: number;
  maxRequests: number | null;
  maxCostUsd: number | null;
  waitForQuota: boolean;
  retryFailed: boolean;
} {
  return {
    retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: options.maxAttempts },
    timeoutMs: options.timeout * 1000,
    maxRequests: options.maxRequests ?? null,
    maxCostUsd: options.maxCost ?? null,
    waitForQuota: options.waitForQuota ?? false,
    retryFailed: options.retryFailed ?? false,
  };
}
