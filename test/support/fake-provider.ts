import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { emptyHeaderReply, REASK_REPLY_SCHEMA_NAME } from "../../src/extract/model-reply.js";
import { documentIdFromUserText } from "../../src/extract/prompts.js";
import { type FormResult, TOTAL_KEYS, type TotalKey } from "../../src/forms/form-result.js";
import { arabicDigitsToThai, thaiDigitsToArabic } from "../../src/forms/thai-digits.js";
import { createRng, type Rng } from "../../src/synth/rng.js";
import {
  type AppliedMisreading,
  chooseMode,
  CONFUSABLE as MISREAD_CONFUSABLE,
  type MisreadForm,
  type MisreadingOptions,
  misreadForm,
} from "./misreadings.js";
import { modelReplyFromTruth, reaskReplyFromTruth } from "./model-reply-from-truth.js";
import { DailyCap, maxInWindow, nextUtcMidnight, pickFault, SlidingWindows, type WindowLimit } from "./provider-limits.js";

/**
 * A local OpenAI-compatible chat-completions server for tests and benchmarks: answers from the
 * truth of synthetic forms, with configurable latency, faults, rate limits, a daily cap, auth
 * failures and injected misreads. Deterministic for a seed: every random decision is drawn from
 * a stream keyed by document, purpose and the document's request count, not by arrival order.
 */
export type RequestPurpose = "read" | "reask" | "unknown";

export interface FakeAnswerRequest {
  readonly documentId: string | null;
  /** The parsed request body (chat.completions.create params). */
  readonly body: ChatRequestBody;
  readonly purpose: RequestPurpose;
  /** Per-page mode: the page of the form asked for. */
  readonly page: number | null;
  /** Re-ask: the rows and totals asked for. */
  readonly rows: readonly number[];
  readonly totals: readonly TotalKey[];
  /** A crop re-ask: the images are one cell's line cut by the layout, so the row is fixed. */
  readonly crop: boolean;
}

/** What `answer` gives: a reply object (sent as JSON content), raw content text, or undefined for the default. */
export type FakeAnswer = object | string | undefined;

export type FaultKind = "serverError" | "hang" | "badJson" | "truncatedJson" | "empty200" | "wrongTypes";
export const FAULT_KINDS: readonly FaultKind[] = ["serverError", "hang", "badJson", "truncatedJson", "empty200", "wrongTypes"];

/** A canned HTTP answer for error-path tests. */
export interface FakeHttpResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface FakeProviderOptions {
  /** documentId → the truth the default answer is built from. */
  readonly truth?: ReadonlyMap<string, FormResult> | Readonly<Record<string, FormResult>>;
  readonly answer?: (request: FakeAnswerRequest) => FakeAnswer;
  /** Before anything else: answer with this HTTP response instead (error mapping tests). */
  readonly respond?: (request: FakeAnswerRequest) => FakeHttpResponse | undefined;
  /** Fixed latency, or a lognormal spread around a median. */
  readonly latencyMs?: number | { readonly medianMs: number; readonly sigma?: number };
  /** Probability of each fault per request (checked in FAULT_KINDS order). */
  readonly faults?: Partial<Readonly<Record<FaultKind, number>>>;
  /** Server-side limits: above them → 429 with Retry-After. */
  readonly rateLimit?: { readonly perSecond?: number; readonly perMinute?: number };
  /** Requests per UTC day; above → 429 with OpenRouter's "free-models-per-day" message and X-RateLimit-Reset. */
  readonly dailyCap?: number;
  /** Require `Authorization: Bearer <apiKey>`; otherwise 401. */
  readonly apiKey?: string;
  /** "reject": every request gets 401; "forbidden": 403. */
  readonly auth?: "accept" | "reject" | "forbidden";
  /** Known model names; another name gets 404 "model not found". */
  readonly models?: readonly string[];
  /** Reject response_format json_schema with a 400 (like servers without structured output). */
  readonly rejectResponseFormat?: boolean;
  /** Reported as usage.cost on each answer. */
  readonly costPerRequestUsd?: number;
  /**
   * Misreads: one digit of one cell changed in the chosen documents' first read (the words stay
   * right, later reads are correct). Choose documents by id, by count (from the truth), or by probability.
   */
  readonly misreads?: {
    readonly documents?: readonly string[];
    readonly count?: number;
    readonly probability?: number;
    /** Also misread total lines, not only vote rows (default false). */
    readonly includeTotals?: boolean;
  };
  /** Realistic misreadings (row shift, swap, recount, dropped row, hallucinated total), sticky per form. */
  readonly misreadings?: MisreadingOptions;
  readonly seed?: number;
  /** Clock for the daily cap and rate windows (tests simulate the next day). */
  readonly now?: () => number;
}

export interface ChatRequestBody {
  readonly model?: string;
  readonly messages?: readonly { role: string; content: unknown }[];
  readonly response_format?: { type?: string; json_schema?: { name?: string; strict?: boolean; schema?: unknown } };
  readonly [key: string]: unknown;
}

export interface FakeRequestRecord {
  /** When the request arrived (its headers), ms since the server started. */
  readonly at: number;
  readonly documentId: string | null;
  readonly purpose: RequestPurpose;
  readonly page: number | null;
  readonly model: string | null;
  readonly responseFormat: string | null;
  readonly images: number;
  /** Re-ask: the rows and totals asked for. */
  readonly rows: readonly number[];
  readonly totals: readonly TotalKey[];
  /** The Authorization header as received (tests check which key reached which host). */
  readonly authorization: string | null;
  /** Size of the request body, bytes (the cost tables' "bytes sent"). */
  readonly bytes: number;
  readonly crop: boolean;
  status: number;
  fault: FaultKind | "rate_limit" | "daily_cap" | null;
}

export interface Misread {
  readonly target: { readonly kind: "row"; readonly number: number } | { readonly kind: "total"; readonly key: TotalKey };
  readonly truthDigits: string;
  readonly readDigits: string;
  served: boolean;
}

export interface FakeProviderStats {
  readonly totalRequests: number;
  /** 200 answers with a reading (faults excluded). */
  readonly answered: number;
  readonly byDocument: ReadonlyMap<string, { readonly requests: number; readonly purposes: readonly RequestPurpose[] }>;
  readonly inFlight: number;
  readonly maxInFlight: number;
  readonly rateLimited429: number;
  readonly dailyCap429: number;
  readonly faults: Readonly<Record<FaultKind, number>>;
  /** Most requests that started in any 1 s / 60 s sliding window. */
  readonly maxPerSecond: number;
  readonly maxPerMinute: number;
  /** Request start times, ms since the server started. */
  readonly startTimes: readonly number[];
}

export interface FakeProvider {
  /** Base URL for the SDK, ending in /v1. */
  readonly baseUrl: string;
  readonly requests: readonly FakeRequestRecord[];
  /** documentId → the misread injected into its first read. */
  readonly misreads: ReadonlyMap<string, Misread>;
  /** documentId → the realistic misreading served for it (null: read correctly), once it was asked. */
  readonly misreadings: ReadonlyMap<string, AppliedMisreading | null>;
  /** The last chat request body received. */
  readonly lastBody: ChatRequestBody | null;
  stats(): FakeProviderStats;
  /** Forget the daily count (a new day). */
  resetDailyCount(): void;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;

export async function startFakeProvider(options: FakeProviderOptions = {}): Promise<FakeProvider> {
  const seed = options.seed ?? 1;
  const clock = options.now ?? Date.now;
  const started = clock();
  const truth = toMap(options.truth);
  const misreadDocs = chooseMisreadDocuments(options, truth, seed);
  const misreads = new Map<string, Misread>();
  const misreadForms = new Map<string, MisreadForm>();
  const misreadingsServed = new Map<string, AppliedMisreading | null>();
  const requests: FakeRequestRecord[] = [];
  const perDocCount = new Map<string, number>();
  const windows = new SlidingWindows(rateLimitWindows(options.rateLimit));
  const daily = new DailyCap(options.dailyCap);
  const faults = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>;
  const hanging = new Set<ServerResponse>();
  let inFlight = 0;
  let maxInFlight = 0;
  let answered = 0;
  let rateLimited429 = 0;
  let dailyCap429 = 0;
  let lastBody: ChatRequestBody | null = null;

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: `fake server bug: ${String(error)}` } });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? "";
    if (req.method === "GET" && url.endsWith("/models")) {
      const names = options.models ?? ["fake-vision-model"];
      sendJson(res, 200, { object: "list", data: names.map((id) => ({ id, object: "model", owned_by: "fake" })) });
      return;
    }
    if (req.method !== "POST" || !url.endsWith("/chat/completions")) {
      sendJson(res, 404, { error: { message: `no route ${req.method} ${url}` } });
      return;
    }
    // A request arrives with its headers: counted from then, not after its body has been read.
    const now = clock();
    const raw = await readBody(req);
    let body: ChatRequestBody;
    try {
      body = JSON.parse(raw) as ChatRequestBody;
    } catch {
      sendJson(res, 400, { error: { message: "request body is not JSON" } });
      return;
    }
    lastBody = body;
    const info = describeRequest(body);
    const record: FakeRequestRecord = {
      at: now - started,
      documentId: info.documentId,
      purpose: info.purpose,
      page: info.page,
      model: typeof body.model === "string" ? body.model : null,
      responseFormat: body.response_format?.type ?? null,
      images: countImages(body),
      rows: info.rows,
      totals: info.totals,
      authorization: req.headers.authorization ?? null,
      bytes: Buffer.byteLength(raw),
      crop: info.crop,
      status: 0,
      fault: null,
    };
    requests.push(record);
    const docKey = info.documentId ?? "";
    const nth = perDocCount.get(docKey) ?? 0;
    perDocCount.set(docKey, nth + 1);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let counted = true;
    const done = () => {
      if (counted) {
        counted = false;
        inFlight--;
      }
    };
    res.on("close", done);
    res.on("finish", done);

    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      sendJson(res, status, payload, headers);
    };

    const canned = options.respond?.(info);
    if (canned) {
      send(canned.status, canned.body ?? {}, { ...canned.headers });
      return;
    }
    const auth = req.headers.authorization ?? "";
    if (options.auth === "reject" || (options.apiKey !== undefined && auth !== `Bearer ${options.apiKey}`)) {
      send(401, { error: { message: "No auth credentials found or the key is invalid", code: 401 } });
      return;
    }
    if (options.auth === "forbidden") {
      send(403, { error: { message: "This key is not allowed to use this model", code: 403 } });
      return;
    }
    if (options.models && !options.models.includes(String(body.model))) {
      send(404, { error: { message: `The model \`${String(body.model)}\` does not exist`, code: "model_not_found" } });
      return;
    }

    daily.rollOver(now);
    if (daily.reached) {
      dailyCap429++;
      record.fault = "daily_cap";
      const reset = String(nextUtcMidnight(now));
      const limit = String(daily.cap);
      send(
        429,
        {
          error: {
            message: `Rate limit exceeded: free-models-per-day. Add 10 credits to unlock 1000 free model requests per day`,
            code: 429,
            metadata: { headers: { "X-RateLimit-Limit": limit, "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset } },
          },
        },
        { "X-RateLimit-Limit": limit, "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset },
      );
      return;
    }
    const waitMs = windows.waitMs(now);
    if (waitMs !== null) {
      rateLimited429++;
      record.fault = "rate_limit";
      send(
        429,
        { error: { message: "Rate limit exceeded: too many requests", code: 429 } },
        { "Retry-After": String(Math.max(1, Math.ceil(waitMs / 1000))) },
      );
      return;
    }
    windows.accept(now);
    daily.take();

    if (options.rejectResponseFormat && body.response_format?.type === "json_schema") {
      send(400, { error: { message: "response_format json_schema is not supported for this model", code: 400 } });
      return;
    }

    const rng = createRng(seed).fork(`${docKey}|${nth}`);
    const latency = latencyFor(rng);
    const fault = pickFault(
      rng.next(),
      FAULT_KINDS.map((kind) => [kind, options.faults?.[kind] ?? 0] as const),
    );
    if (fault) {
      faults[fault]++;
      record.fault = fault;
    }
    if (fault === "hang") {
      hanging.add(res);
      res.on("close", () => hanging.delete(res));
      return;
    }
    await sleep(latency);
    if (res.destroyed) return;
    switch (fault) {
      case "serverError":
        send(503, { error: { message: "upstream provider unavailable", code: 503 } });
        return;
      case "empty200":
        record.status = 200;
        res.writeHead(200, { "content-type": "application/json", "content-length": "0" });
        res.end();
        return;
      case "badJson":
        send(200, completion(body, "I am sorry, the image is too blurry to read this form reliably.", "stop"));
        return;
      case "truncatedJson": {
        const full = JSON.stringify(defaultAnswer(info, false));
        send(200, completion(body, full.slice(0, Math.max(1, Math.floor(full.length / 2))), "length"));
        return;
      }
      case "wrongTypes":
        send(200, completion(body, JSON.stringify({ header: [], totals: 5, rows: "many" }), "stop"));
        return;
      default:
        break;
    }
    const custom = options.answer?.(info);
    const reply = custom ?? defaultAnswer(info);
    const content = typeof reply === "string" ? reply : JSON.stringify(reply);
    answered++;
    send(200, completion(body, content, "stop", options.costPerRequestUsd));
  }

  /**
   * A crop shows one line cut by the layout, so a misreading of which row a value is on (a shift,
   * a swap, a dropped row) is read right in a crop; a misread digit or a made-up total stays.
   */
  function cropFixesRow(documentId: string): boolean {
    servedForm(documentId);
    const mode = misreadingsServed.get(documentId)?.mode;
    return mode === "row_shift" || mode === "rows_swapped" || mode === "dropped_row";
  }

  /** The form as this fake model reads it: the truth, or its sticky misreading (see misreadings.ts). */
  function servedForm(documentId: string): FormResult | undefined {
    const form = truth.get(documentId);
    if (!form || !options.misreadings) return form;
    let served = misreadForms.get(documentId);
    if (!served) {
      const mode = chooseMode(documentId, options.misreadings);
      served = mode === null ? { form, misreading: null } : misreadForm(form, mode, options.misreadings.seed);
      misreadForms.set(documentId, served);
      misreadingsServed.set(documentId, served.misreading);
    }
    return served.form;
  }

  function defaultAnswer(info: FakeAnswerRequest, applyMisread = true): object {
    const form =
      info.documentId === null
        ? undefined
        : info.crop && cropFixesRow(info.documentId)
          ? truth.get(info.documentId)
          : servedForm(info.documentId);
    if (!form) return info.purpose === "reask" ? { totals: emptyTotals(), rows: [] } : emptyReading();
    if (info.purpose === "reask") return reaskReplyFromTruth(form, info.rows, info.totals);
    const reply = modelReplyFromTruth(form, { page: info.page });
    return applyMisread ? maybeMisread(form, reply) : reply;
  }

  /** The first read of a chosen document gets one digit wrong in one cell; the words stay right. */
  function maybeMisread(form: FormResult, reply: ReturnType<typeof modelReplyFromTruth>) {
    const id = form.document.id;
    if (!misreadDocs.has(id)) return reply;
    let misread = misreads.get(id);
    if (!misread) {
      const created = planMisread(form, createRng(seed).fork(`misread|${id}`), options.misreads?.includeTotals ?? false);
      if (!created) return reply;
      misread = created;
      misreads.set(id, misread);
    }
    if (misread.served) return reply;
    const target = misread.target;
    if (target.kind === "row") {
      const index = reply.rows.findIndex((row) => row.number === target.number);
      const row = reply.rows[index];
      if (!row) return reply;
      misread.served = true;
      const rows = [...reply.rows];
      rows[index] = { ...row, digits: misread.readDigits };
      return { ...reply, rows };
    }
    const cell = reply.totals[target.key];
    if (!cell) return reply;
    misread.served = true;
    return { ...reply, totals: { ...reply.totals, [target.key]: { ...cell, digits: misread.readDigits } } };
  }

  function latencyFor(rng: Rng): number {
    const latency = options.latencyMs;
    if (latency === undefined) return 0;
    if (typeof latency === "number") return latency;
    return latency.medianMs * Math.exp((latency.sigma ?? 0.5) * rng.normal(0, 1));
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    misreads,
    misreadings: misreadingsServed,
    get lastBody() {
      return lastBody;
    },
    stats() {
      const byDocument = new Map<string, { requests: number; purposes: RequestPurpose[] }>();
      for (const record of requests) {
        if (record.documentId === null) continue;
        const entry = byDocument.get(record.documentId) ?? { requests: 0, purposes: [] };
        entry.requests++;
        entry.purposes.push(record.purpose);
        byDocument.set(record.documentId, entry);
      }
      const startTimes = requests.map((r) => r.at);
      return {
        totalRequests: requests.length,
        answered,
        byDocument,
        inFlight,
        maxInFlight,
        rateLimited429,
        dailyCap429,
        faults: { ...faults },
        maxPerSecond: maxInWindow(startTimes, 1000),
        maxPerMinute: maxInWindow(startTimes, 60_000),
        startTimes,
      };
    },
    resetDailyCount() {
      daily.reset();
    },
    async close() {
      for (const res of hanging) res.destroy();
      hanging.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function describeRequest(body: ChatRequestBody): FakeAnswerRequest {
  const text = userText(body);
  const rowsLine = /^Re-read rows: (.*)$/m.exec(text)?.[1] ?? null;
  const totalsLine = /^Re-read totals: (.*)$/m.exec(text)?.[1] ?? null;
  const schemaName = body.response_format?.json_schema?.name ?? null;
  const isReask = rowsLine !== null || totalsLine !== null || schemaName === REASK_REPLY_SCHEMA_NAME;
  const rows = (rowsLine ?? "")
    .split(",")
    .map((part) => Number(part.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
  const totals = (totalsLine ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter((key): key is TotalKey => (TOTAL_KEYS as readonly string[]).includes(key));
  const page = /^Page: (\d+) of \d+$/m.exec(text)?.[1];
  return {
    documentId: documentIdFromUserText(text),
    body,
    purpose: isReask ? "reask" : text === "" ? "unknown" : "read",
    page: page === undefined ? null : Number(page),
    rows,
    totals,
    crop: /^Crop of page \d+: /m.test(text),
  };
}

function userText(body: ChatRequestBody): string {
  const parts: string[] = [];
  for (const message of body.messages ?? []) {
    if (message.role !== "user") continue;
    if (typeof message.content === "string") parts.push(message.content);
    else if (Array.isArray(message.content)) {
      for (const part of message.content as { type?: string; text?: string }[]) {
        if (part.type === "text" && typeof part.text === "string") parts.push(part.text);
      }
    }
  }
  return parts.join("\n");
}

function countImages(body: ChatRequestBody): number {
  let count = 0;
  for (const message of body.messages ?? []) {
    if (Array.isArray(message.content)) {
      for (const part of message.content as { type?: string }[]) if (part.type === "image_url") count++;
    }
  }
  return count;
}

function completion(body: ChatRequestBody, content: string, finishReason: string, costUsd?: number) {
  const promptChars = JSON.stringify(body.messages ?? []).length;
  const promptTokens = Math.ceil(promptChars / 4);
  const completionTokens = Math.ceil(content.length / 3);
  return {
    id: `chatcmpl-fake-${Math.random().toString(36).slice(2, 10)}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: typeof body.model === "string" ? body.model : "fake-vision-model",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: finishReason }],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      ...(costUsd !== undefined ? { cost: costUsd } : {}),
    },
  };
}

function planMisread(form: FormResult, rng: Rng, includeTotals: boolean): Misread | null {
  type Target = Misread["target"];
  const candidates: { target: Target; digits: string }[] = [];
  for (const row of form.votes) {
    if (row.mark === "digits" && row.digits !== null && /[0-9๐-๙]/.test(row.digits) && (row.value ?? 0) > 0) {
      candidates.push({ target: { kind: "row", number: row.number }, digits: row.digits });
    }
  }
  if (includeTotals) {
    for (const key of TOTAL_KEYS) {
      const cell = form.totals[key];
      if (cell && cell.mark === "digits" && cell.digits !== null && /[0-9๐-๙]/.test(cell.digits) && (cell.value ?? 0) > 0) {
        candidates.push({ target: { kind: "total", key }, digits: cell.digits });
      }
    }
  }
  if (candidates.length === 0) return null;
  const chosen = rng.pick(candidates);
  return { target: chosen.target, truthDigits: chosen.digits, readDigits: changeOneDigit(chosen.digits, rng), served: false };
}

/** The misreadings' confusions, with 9 read as 7 (the recount misreading reads it as 4). */
const CONFUSABLE: Readonly<Record<string, string>> = { ...MISREAD_CONFUSABLE, "9": "7" };

/** Changes one digit (Arabic or Thai, kept in its script), preferring the confusions of handwriting. */
export function changeOneDigit(digits: string, rng: Rng): string {
  const chars = [...digits];
  const positions = chars.flatMap((ch, i) => (/[0-9๐-๙]/.test(ch) ? [i] : []));
  if (positions.length === 0) return digits;
  const at = rng.pick(positions);
  const ch = chars[at] ?? "0";
  const thai = /[๐-๙]/.test(ch);
  const original = thai ? thaiDigitsToArabic(ch) : ch;
  let replacement = rng.chance(0.7) ? (CONFUSABLE[original] ?? "1") : String(rng.int(0, 9));
  if (replacement === original) replacement = CONFUSABLE[original] ?? "1";
  // No leading zero: "08" would not look like a number someone wrote.
  if (at === positions[0] && replacement === "0" && positions.length > 1) replacement = original === "9" ? "8" : "9";
  chars[at] = thai ? arabicDigitsToThai(replacement) : replacement;
  return chars.join("");
}

function chooseMisreadDocuments(options: FakeProviderOptions, truth: ReadonlyMap<string, FormResult>, seed: number): Set<string> {
  const spec = options.misreads;
  const chosen = new Set<string>(spec?.documents ?? []);
  if (!spec) return chosen;
  const ids = [...truth.keys()].sort();
  if (spec.count !== undefined && spec.count > 0) {
    const rng = createRng(seed).fork("misread-documents");
    const pool = [...ids];
    for (let i = 0; i < spec.count && pool.length > 0; i++) {
      const index = rng.int(0, pool.length - 1);
      chosen.add(pool.splice(index, 1)[0] ?? "");
    }
  }
  if (spec.probability !== undefined && spec.probability > 0) {
    for (const id of ids) if (createRng(seed).fork(`misread?${id}`).chance(spec.probability)) chosen.add(id);
  }
  return chosen;
}

function emptyReading() {
  return {
    header: emptyHeaderReply(),
    totals: emptyTotals(),
    rows: [],
  };
}

function emptyTotals(): Record<TotalKey, null> {
  return Object.fromEntries(TOTAL_KEYS.map((key) => [key, null])) as Record<TotalKey, null>;
}

function toMap(truth: FakeProviderOptions["truth"]): ReadonlyMap<string, FormResult> {
  if (!truth) return new Map();
  if (truth instanceof Map) return truth;
  return new Map(Object.entries(truth as Readonly<Record<string, FormResult>>));
}

function rateLimitWindows(limits: FakeProviderOptions["rateLimit"]): WindowLimit[] {
  const windows: WindowLimit[] = [];
  if (limits?.perSecond !== undefined) windows.push({ max: limits.perSecond, windowMs: 1000 });
  if (limits?.perMinute !== undefined) windows.push({ max: limits.perMinute, windowMs: 60_000 });
  return windows;
}

function sendJson(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(payload);
  res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error("request body too large");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}
