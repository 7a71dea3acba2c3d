import { AsyncLocalStorage } from "node:async_hooks";
import OpenAI from "openai";
import { z } from "zod";
import { abortError } from "./abort.js";
import type { ProviderConfig } from "./config.js";
import { mapProviderError } from "./error-mapping.js";
import { encodeJsonBody } from "./json-body.js";
import { parseJsonReply } from "./json-reply.js";
import { strictJsonSchema } from "./json-schema.js";
import type { ExtractionOutcome, ExtractionRequest, ExtractOptions, Provider, Usage } from "./provider.js";

export interface OpenAICompatibleOptions {
  /** Per-request timeout; a request that takes longer is a transient failure. */
  readonly timeoutMs: number;
  /** Output token cap when the request gives none; default: the preset's (none for local servers). */
  readonly defaultMaxOutputTokens?: number | null;
  /** Clock for rate-limit reset arithmetic (tests). */
  readonly now?: () => number;
}

/** Structured output mode: json_schema until the server rejects it, then JSON asked for in the prompt. */
export type ReplyMode = "json_schema" | "prompt_json";

export interface OpenAICompatibleProvider extends Provider {
  /** Current structured-output mode of this instance. */
  readonly replyMode: ReplyMode;
}

const LOCAL_PROVIDERS: ReadonlySet<string> = new Set(["ollama", "lmstudio", "vllm"]);
/** Placeholder for servers without authentication; the SDK insists on some key. */
const NO_KEY = "no-key";

/** The part of a chat completion we read; everything else is ignored. */
const CompletionSchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        finish_reason: z.string().nullable().optional(),
        message: z
          .object({
            content: z
              .union([z.string(), z.array(z.object({ type: z.string(), text: z.string().optional() }))])
              .nullable()
              .optional(),
            refusal: z.string().nullable().optional(),
          })
          .optional(),
      }),
    )
    .optional(),
  usage: z
    .object({
      prompt_tokens: z.number().nullable().optional(),
      completion_tokens: z.number().nullable().optional(),
      cost: z.number().nullable().optional(),
    })
    .nullable()
    .optional(),
});

type ChatBody = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming & {
  /** OpenRouter: report the cost of the request in usage.cost. */
  usage?: { include: boolean };
};

/** A request's last check before its bytes go out (ExtractOptions.beforeSend), for the client's fetch. */
interface SendCheck {
  readonly beforeSend: () => Promise<boolean>;
  withheld: boolean;
}

/** Thrown from fetch when the check said no: the SDK gives up on the request without sending it. */
class RequestWithheld extends Error {}

export function createOpenAICompatibleProvider(config: ProviderConfig, options: OpenAICompatibleOptions): OpenAICompatibleProvider {
  // The SDK calls fetch once per request, with the body already serialized: the check runs there,
  // in the context of the extract call that made the request.
  const sendChecks = new AsyncLocalStorage<SendCheck>();
  const checkedFetch = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const check = sendChecks.getStore();
    if (check && !(await check.beforeSend())) {
      check.withheld = true;
      throw new RequestWithheld("the request's rate slot was lost before it was sent");
    }
    return fetch(url, init);
  };
  const client = new OpenAI({
    fetch: checkedFetch,
    apiKey: config.apiKey?.reveal() ?? NO_KEY,
    baseURL: config.baseUrl,
    organization: null,
    project: null,
    maxRetries: 0,
    timeout: options.timeoutMs,
    defaultHeaders: config.provider === "openrouter" ? { "X-Title": "ballot-ocr" } : {},
  });
  const now = options.now ?? Date.now;
  let replyMode: ReplyMode = config.supportsJsonSchema ? "json_schema" : "prompt_json";
  let sendTemperature = true;

  async function extract<T>(request: ExtractionRequest<T>, { signal, beforeSend }: ExtractOptions): Promise<ExtractionOutcome<T>> {
    if (signal.aborted) throw abortError(signal);
    const model = request.model ?? config.model;
    const mode = replyMode;
    const { body: sent, bytes } = encodeJsonBody(request.images, (urls) => buildBody(request, model, mode, urls));

    let raw: unknown;
    const check: SendCheck | undefined = beforeSend ? { beforeSend, withheld: false } : undefined;
    try {
      // The same request as chat.completions.create, with the body already encoded (see encodeJsonBody).
      const send = () =>
        client.post<unknown>("/chat/completions", {
          body: bytes,
          headers: { "content-type": "application/json" },
          signal,
          timeout: options.timeoutMs,
          maxRetries: 0,
        });
      raw = await (check ? sendChecks.run(check, send) : send());
    } catch (error) {
      if (check?.withheld) return { kind: "transient", message: "not sent: the rate slot was lost before sending" };
      const mapped = mapProviderError(error, {
        model,
        keySource: config.keySource,
        apiKey: config.apiKey,
        timeoutMs: options.timeoutMs,
        now,
      });
      if (mapped.kind === "aborted") throw abortError(signal);
      if (mapped.kind === "parameter_rejected") {
        const rejectedWasSent =
          mapped.parameter === "response_format" ? sent.response_format !== undefined : sent.temperature !== undefined;
        if (!rejectedWasSent) return { kind: "fatal", scope: "document", message: `the server rejected the request (${mapped.message})` };
        // Remember for this provider instance, and let the engine retry the request without it.
        if (mapped.parameter === "response_format") replyMode = "prompt_json";
        else sendTemperature = false;
        return { kind: "transient", message: `the server does not accept ${mapped.parameter}; retrying without it (${mapped.message})` };
      }
      return mapped.outcome;
    }
    return readCompletion(raw, request, model);
  }

  /** The request's body, with `imageUrls[i]` where the i-th image's data URL goes. */
  function buildBody<T>(request: ExtractionRequest<T>, model: string, mode: ReplyMode, imageUrls: readonly string[]): ChatBody {
    const schema = strictJsonSchema(request.replySchema);
    const system =
      mode === "json_schema"
        ? request.system
        : `${request.system}\n\nAnswer with one JSON object and nothing else (no prose, no code fence). It must match this JSON Schema:\n${JSON.stringify(schema)}`;
    const content: OpenAI.Chat.Completions.ChatCompletionContentPart[] = [{ type: "text", text: request.user }];
    for (const [i, image] of request.images.entries()) {
      content.push({ type: "text", text: `Page ${image.page}:` });
      content.push({ type: "image_url", image_url: { url: imageUrls[i] as string, detail: "high" } });
    }
    const maxTokens =
      request.maxOutputTokens ?? (options.defaultMaxOutputTokens !== undefined ? options.defaultMaxOutputTokens : config.maxOutputTokens);
    const body: ChatBody = {
      model,
      messages: [
        { role: "system", content: system },
        { role: "user", content },
      ],
    };
    if (sendTemperature) body.temperature = 0;
    if (maxTokens !== null) {
      if (config.maxTokensField === "max_completion_tokens") body.max_completion_tokens = maxTokens;
      else body.max_tokens = maxTokens;
    }
    if (mode === "json_schema") {
      body.response_format = {
        type: "json_schema",
        json_schema: { name: request.schemaName, strict: true, schema: schema as Record<string, unknown> },
      };
    }
    if (config.provider === "openrouter") body.usage = { include: true };
    return body;
  }

  return {
    name: config.provider,
    model: config.model,
    // Local servers cost neither money nor quota.
    metered: !LOCAL_PROVIDERS.has(config.provider),
    callsBeforeSend: true,
    get replyMode() {
      return replyMode;
    },
    extract,
  };
}

function readCompletion<T>(raw: unknown, request: ExtractionRequest<T>, model: string): ExtractionOutcome<T> {
  if (raw === undefined || raw === null || raw === "") {
    return invalid("the server answered 200 with an empty body", EMPTY_USAGE);
  }
  const parsed = CompletionSchema.safeParse(raw);
  if (!parsed.success) return invalid("the response is not a chat completion", EMPTY_USAGE);
  const completion = parsed.data;
  const usage: Usage = {
    promptTokens: completion.usage?.prompt_tokens ?? null,
    completionTokens: completion.usage?.completion_tokens ?? null,
    costUsd: completion.usage?.cost ?? null,
  };
  const choice = completion.choices?.[0];
  if (!choice) return invalid("the response has no choices", usage);
  const message = choice.message;
  const text = contentText(message?.content);
  if (text === null || text.trim() === "") {
    const refusal = message?.refusal ? `: ${message.refusal.slice(0, 200)}` : "";
    return invalid(`the model returned no text${refusal}`, usage);
  }
  const json = parseJsonReply(text);
  if (!json.ok) {
    const truncated = choice.finish_reason === "length" ? " (the reply hit the output token limit)" : "";
    return invalid(`${json.error}${truncated}`, usage);
  }
  const reply = request.replySchema.safeParse(json.value);
  if (!reply.success) return invalid(`the reply does not match the schema: ${shortIssues(reply.error)}`, usage);
  return { kind: "ok", reply: reply.data, usage, model: completion.model ?? model };
}

function contentText(content: string | readonly { type: string; text?: string | undefined }[] | null | undefined): string | null {
  if (content === null || content === undefined) return null;
  if (typeof content === "string") return content;
  return content.map((part) => part.text ?? "").join("");
}

/** The first few schema problems on one line: enough to see what went wrong, not the whole reply. */
function shortIssues(error: z.ZodError): string {
  const issues = error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join(".") : "(root)";
    return `${path}: ${issue.message}`;
  });
  const more = error.issues.length > 3 ? ` (+${error.issues.length - 3} more)` : "";
  return issues.join("; ").slice(0, 300) + more;
}

const EMPTY_USAGE: Usage = { promptTokens: null, completionTokens: null, costUsd: null };

function invalid<T>(message: string, usage: Usage): ExtractionOutcome<T> {
  return { kind: "invalid_output", message, usage };
}
