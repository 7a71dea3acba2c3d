import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { RunLimits, RunSettings } from "./ports.js";
import type { WebContext } from "./context.js";

const positive = z.number().positive().finite();
const positiveInt = z.int().positive();

const LimitsSchema = z
  .object({
    workers: positiveInt.max(256),
    rps: positive,
    rpm: positive,
    rpd: positive,
    maxAttempts: positiveInt.max(20),
    timeoutMs: positiveInt.min(1000).max(3_600_000),
    maxRequests: positiveInt,
    maxCostUsd: positive,
  })
  .partial()
  .strict();

const StartRunSchema = z
  .object({
    batch: z.string().max(64),
    provider: z.string().max(40).optional(),
    model: z
      .string()
      .max(200)
      .regex(/^[A-Za-z0-9._:/@+-]+$/, "model ids use letters, digits and . _ : / @ + -")
      .optional(),
    limits: LimitsSchema.optional(),
    /** The offline reader as a witness beside a remote model; on unless turned off, as on the CLI. */
    witness: z.boolean().optional(),
    acceptSingleWitness: z.boolean().optional(),
  })
  .strict();

export function registerRunRoutes(app: FastifyInstance, ctx: WebContext): void {
  app.get("/api/config", async () => ({ defaults: ctx.backend.defaults(), uploadLimits: ctx.uploads.limits }));

  app.get("/api/run", async () => ({ run: ctx.runs.view(), active: ctx.runs.isActive() }));

  app.post("/api/runs", async (req, reply) => {
    const body = StartRunSchema.safeParse(req.body);
    if (!body.success) return reply.code(400).send({ error: z.prettifyError(body.error) });
    const { batch } = body.data;
    if (!(await ctx.uploads.exists(batch))) return reply.code(404).send({ error: "unknown batch" });
    const dir = ctx.uploads.batchDir(batch);
    if (!dir.ok) return reply.code(404).send({ error: dir.error });
    const defaults = ctx.backend.defaults();
    const provider = body.data.provider ?? defaults.provider;
    if (!defaults.providers.includes(provider)) return reply.code(400).send({ error: `unknown provider "${provider}"` });
    const asked = dropUndefined(body.data.limits ?? {}) as RunLimits;
    const above = aboveCeilings(asked, defaults.ceilings ?? {});
    if (above !== null) return reply.code(400).send({ error: above });
    const limits = { ...defaults.limits, ...asked } as RunLimits;
    const settings: RunSettings = {
      provider,
      model: body.data.model ?? defaults.model,
      limits,
      // Unset means the defaults: the witness on, single-witness forms to review.
      ...(body.data.witness !== undefined ? { witness: body.data.witness } : {}),
      ...(body.data.acceptSingleWitness !== undefined ? { acceptSingleWitness: body.data.acceptSingleWitness } : {}),
    };
    const started = ctx.runs.start(batch, dir.value, settings);
    if (!started.ok) return reply.code(409).send({ error: started.error });
    return reply.code(202).send({ run: started.value });
  });

  app.post("/api/run/cancel", async (_req, reply) => {
    const cancelled = ctx.runs.cancel();
    if (!cancelled.ok) return reply.code(409).send({ error: cancelled.error });
    return { run: cancelled.value };
  });

  // Live progress: a snapshot of the current run first, then every event as it happens.
  app.get("/api/events", (req, reply) => {
    reply.hijack();
    const client = ctx.hub.attach(reply.raw);
    client.send("snapshot", { run: ctx.runs.view(), active: ctx.runs.isActive() });
    req.raw.on("close", () => client.close());
  });
}

const LIMIT_FLAGS: Readonly<Record<keyof RunLimits, string>> = {
  workers: "--workers",
  rps: "--rps",
  rpm: "--rpm",
  rpd: "--rpd",
  maxAttempts: "--max-attempts",
  timeoutMs: "--timeout",
  maxRequests: "--max-requests",
  maxCostUsd: "--max-cost",
};

/** The server's own limits are ceilings: a page may lower them, never raise them. */
export function aboveCeilings(asked: RunLimits, ceilings: RunLimits): string | null {
  for (const key of Object.keys(LIMIT_FLAGS) as (keyof RunLimits)[]) {
    const value = asked[key];
    const ceiling = ceilings[key];
    if (value !== undefined && ceiling !== undefined && value > ceiling) {
      return `${key} ${value} is above this server's limit of ${ceiling} (set with serve ${LIMIT_FLAGS[key]}); a run may only lower it`;
    }
  }
  return null;
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
