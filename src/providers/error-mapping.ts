import OpenAI from "openai";
import { nextUtcMidnight } from "../basics/utc-day.js";
import type { ExtractionOutcome, RateLimitScope } from "./provider.js";
import { redactSecret, type Secret } from "./secret.js";
import { errorMessage } from "../basics/error-message.js";

/**
 * The only module that knows the SDK's error classes: it turns whatever the SDK threw into
 * the project's outcomes, so the rest of the code never depends on the SDK.
 */
export type FailureOutcome = Exclude<ExtractionOutcome<never>, { kind: "ok" }>;

export type ErrorMapping =
  | { readonly kind: "outcome"; readonly outcome: FailureOutcome }
  /** The caller's signal aborted the request: rethrow, the engine handles cancellation. */
  | { readonly kind: "aborted" }
  /** The server refused a request parameter it does not support; the caller can drop it and retry. */
  | { readonly kind: "parameter_rejected"; readonly parameter: "response_format" | "temperature"; readonly message: string };

export interface ErrorContext {
  readonly model: string;
  /** Name of the variable the key came from, for the "key refused" message. */
  readonly keySource: string | null;
  readonly apiKey: Secret | null;
  readonly timeoutMs: number;
  readonly now: () => number;
}

const MAX_MESSAGE = 300;

export function mapProviderError(error: unknown, context: ErrorContext): ErrorMapping {
  if (error instanceof OpenAI.APIUserAbortError) return { kind: "aborted" };
  if (error instanceof Error && error.name === "AbortError") return { kind: "aborted" };
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return transient(`the request timed out after ${context.timeoutMs} ms`);
  }
  if (error instanceof OpenAI.APIConnectionError) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return transient(clean(`could not reach the server${cause}`, context));
  }
  if (error instanceof OpenAI.APIError && typeof error.status === "number") {
    return mapStatus(error, error.status, context);
  }
  if (error instanceof SyntaxError) {
    // A 200 whose body is not JSON: the server answered, but with nothing usable.
    return outcome({
      kind: "invalid_output",
      message: clean(`the response body is not JSON (${error.message})`, context),
      usage: noUsage(),
    });
  }
  const message = errorMessage(error);
  return transient(clean(`unexpected error: ${message}`, context));
}

function mapStatus(error: InstanceType<typeof OpenAI.APIError>, status: number, context: ErrorContext): ErrorMapping {
  const serverMessage = clean(messageOf(error), context);
  const searchable = `${messageOf(error)} ${safeStringify(error.error)}`.toLowerCase();

  if (status === 429 && /insufficient_quota|exceeded your current quota/.test(searchable)) {
    // OpenAI answers 429 when the account has no credit: waiting will not help.
    return outcome({
      kind: "fatal",
      scope: "batch",
      status,
      message: `The account has no credit or quota left (429: ${serverMessage}). Check the plan and billing.`,
    });
  }
  if (status === 429) return outcome(mapRateLimit(error, searchable, serverMessage, context));
  if (status === 401 || status === 403) {
    if (/moderation|flagged/.test(searchable)) {
      return outcome({ kind: "fatal", scope: "document", status, message: `the provider refused this document: ${serverMessage}` });
    }
    const where = context.keySource ? ` Check ${context.keySource}.` : "";
    return outcome({
      kind: "fatal",
      scope: "batch",
      status,
      message: `The provider refused the API key (${status}: ${serverMessage}).${where}`,
    });
  }
  if (status === 402) {
    return outcome({
      kind: "fatal",
      scope: "batch",
      status,
      message: `The account has no credit left (402: ${serverMessage}). Add credit, or use a free or local model.`,
    });
  }
  if (status === 404 || looksLikeUnknownModel(searchable)) {
    return outcome({
      kind: "fatal",
      scope: "batch",
      status,
      message: `The model "${context.model}" is not available here (${status}: ${serverMessage}). Check --model / BALLOT_OCR_MODEL.`,
    });
  }
  if (status === 400 || status === 422) {
    // Servers without structured output, or with a narrower schema dialect (Gemini names
    // response_schema or additionalProperties), refuse the schema: fall back to prompt JSON.
    if (
      /response_format|json_schema|response_schema|structured output|response format|json mode|additionalproperties|\bschema\b/.test(
        searchable,
      )
    ) {
      return { kind: "parameter_rejected", parameter: "response_format", message: serverMessage };
    }
    if (/temperature/.test(searchable) && /unsupported|not support|does not support|only the default/.test(searchable)) {
      return { kind: "parameter_rejected", parameter: "temperature", message: serverMessage };
    }
  }
  if (status === 400 || status === 413 || status === 422) {
    return outcome({ kind: "fatal", scope: "document", status, message: `the server rejected the request (${status}: ${serverMessage})` });
  }
  if (status === 408 || status === 409 || status >= 500) {
    return outcome({ kind: "transient", status, message: `server error ${status}: ${serverMessage}` });
  }
  if (status >= 400 && status < 500) {
    return outcome({ kind: "fatal", scope: "document", status, message: `the server rejected the request (${status}: ${serverMessage})` });
  }
  return outcome({ kind: "transient", status, message: `unexpected status ${status}: ${serverMessage}` });
}

function mapRateLimit(
  error: InstanceType<typeof OpenAI.APIError>,
  searchable: string,
  serverMessage: string,
  context: ErrorContext,
): FailureOutcome {
  const headers = collectHeaders(error);
  const now = context.now();
  const hinted = retryAfterFromHeaders(headers, now);
  const absolute = resetTimeFromHeaders(headers);
  if (isDailyLimit(searchable)) {
    const resetAt = absolute !== null && absolute > now ? absolute : hinted !== null && hinted > 0 ? now + hinted : nextUtcMidnight(now);
    return {
      kind: "rate_limited",
      scope: "day",
      retryAfterMs: resetAt - now,
      resetAt,
      message: `daily request quota reached: ${serverMessage}`,
    };
  }
  const hasRateHeaders = [...headers.keys()].some(
    (name) => name === "retry-after" || name === "retry-after-ms" || name.startsWith("x-ratelimit"),
  );
  const scope: RateLimitScope = hasRateHeaders ? "minute" : "request";
  return {
    kind: "rate_limited",
    scope,
    retryAfterMs: hinted,
    ...(absolute !== null ? { resetAt: absolute } : {}),
    message: `rate limited: ${serverMessage}`,
  };
}

/** OpenRouter's "free-models-per-day", Gemini's "...PerDay..." quota ids, and plain "daily limit" wording. */
export function isDailyLimit(text: string): boolean {
  return /free-models-per-day|per[\s_-]?day|daily (limit|quota|request)|requests? per day|rpd\b/.test(text.toLowerCase());
}

function looksLikeUnknownModel(text: string): boolean {
  return /not a valid model|model[^.]{0,60}(not found|does not exist)|unknown model|no such model|invalid model/.test(text);
}

/** Lower-cased header map from the HTTP response, plus OpenRouter's copy inside error.metadata.headers. */
function collectHeaders(error: InstanceType<typeof OpenAI.APIError>): Map<string, string> {
  const map = new Map<string, string>();
  const metadata = (error.error as { metadata?: { headers?: unknown } } | undefined)?.metadata;
  const bodyHeaders = metadata?.headers;
  if (bodyHeaders && typeof bodyHeaders === "object") {
    for (const [name, value] of Object.entries(bodyHeaders)) {
      if (typeof value === "string" || typeof value === "number") map.set(name.toLowerCase(), String(value));
    }
  }
  error.headers?.forEach((value, name) => {
    map.set(name.toLowerCase(), value);
  });
  return map;
}

/**
 * Milliseconds to wait according to the headers, or null when there is no usable hint.
 * Order: retry-after-ms, retry-after (seconds or HTTP date), x-ratelimit-reset (epoch ms, epoch
 * seconds, or seconds from now), x-ratelimit-reset-requests (OpenAI durations such as "6m0s").
 */
export function retryAfterFromHeaders(headers: ReadonlyMap<string, string>, now: number): number | null {
  const ms = numberOf(headers.get("retry-after-ms"));
  if (ms !== null && ms >= 0) return Math.round(ms);

  const retryAfter = headers.get("retry-after")?.trim();
  if (retryAfter) {
    const seconds = numberOf(retryAfter);
    if (seconds !== null && seconds >= 0) return Math.round(seconds * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }

  const reset = headers.get("x-ratelimit-reset")?.trim();
  if (reset) {
    const value = numberOf(reset);
    if (value !== null) return Math.max(0, resetToDelay(value, now));
    const duration = parseDuration(reset);
    if (duration !== null) return duration;
  }

  const resetRequests = headers.get("x-ratelimit-reset-requests")?.trim();
  if (resetRequests) {
    const duration = parseDuration(resetRequests);
    if (duration !== null) return duration;
  }
  return null;
}

/** The reset as an absolute time, when a header gives one: an epoch X-RateLimit-Reset or an HTTP-date Retry-After. */
export function resetTimeFromHeaders(headers: ReadonlyMap<string, string>): number | null {
  const reset = numberOf(headers.get("x-ratelimit-reset")?.trim());
  if (reset !== null && reset > 1e12) return Math.round(reset);
  if (reset !== null && reset > 1e9) return Math.round(reset * 1000);
  const retryAfter = headers.get("retry-after")?.trim();
  if (retryAfter && numberOf(retryAfter) === null) {
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return date;
  }
  return null;
}

/** x-ratelimit-reset is an epoch in ms (OpenRouter), an epoch in seconds, or seconds from now. */
function resetToDelay(value: number, now: number): number {
  if (value > 1e12) return Math.round(value - now);
  if (value > 1e9) return Math.round(value * 1000 - now);
  return Math.round(value * 1000);
}

function parseDuration(text: string): number | null {
  const match = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$/.exec(text);
  if (!match || text === "") return null;
  const [, h, m, s, ms] = match;
  return Math.round(Number(h ?? 0) * 3_600_000 + Number(m ?? 0) * 60_000 + Number(s ?? 0) * 1000 + Number(ms ?? 0));
}

export function msUntilUtcMidnight(now: number): number {
  return nextUtcMidnight(now) - now;
}

function numberOf(text: string | undefined): number | null {
  if (text === undefined || text.trim() === "") return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

function messageOf(error: InstanceType<typeof OpenAI.APIError>): string {
  const body = error.error as { message?: unknown; metadata?: { raw?: unknown } } | undefined;
  const base = typeof body?.message === "string" ? body.message : error.message;
  const raw = body?.metadata?.raw;
  return typeof raw === "string" && raw !== "" && !base.includes(raw) ? `${base} (${raw})` : base;
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "";
  }
}

/** Redacts the key and keeps messages short. */
function clean(message: string, context: ErrorContext): string {
  const redacted = redactSecret(message, context.apiKey).replace(/\s+/g, " ").trim();
  return redacted.length > MAX_MESSAGE ? `${redacted.slice(0, MAX_MESSAGE)}…` : redacted;
}

function noUsage() {
  return { promptTokens: null, completionTokens: null, costUsd: null };
}

function outcome(value: FailureOutcome): ErrorMapping {
  return { kind: "outcome", outcome: value };
}

function transient(message: string): ErrorMapping {
  return outcome({ kind: "transient", message });
}
