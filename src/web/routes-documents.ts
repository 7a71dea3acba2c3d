import path from "node:path";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { type FormResult, STATUSES } from "../forms/form-result.js";
import { type DocumentRow, displayPath, queryRows, SORT_KEYS, toDocumentRow } from "./document-rows.js";
import type { EditOutcome } from "./ports.js";
import type { WebContext } from "./context.js";

const ListQuery = z.object({
  status: z.enum(STATUSES).optional(),
  q: z.string().max(200).optional(),
  province: z.string().max(100).optional(),
  constituency: z.coerce.number().int().min(0).optional(),
  sort: z.enum(SORT_KEYS).default("path"),
  dir: z.enum(["asc", "desc"]).default("asc"),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

const ROWS_TTL_MS = 5000;

const IdParams = z.object({ id: z.string().regex(/^[0-9a-f]{64}$/) });
const PageParams = IdParams.extend({ page: z.coerce.number().int().min(1).max(1000) });

const Reviewer = z.string().trim().min(1, "enter your name").max(100);
const EditBody = z
  .object({
    field: z.string().regex(/^(totals\.[A-Za-z]+|votes\.[0-9]{1,3})$/, "field must be totals.<name> or votes.<row>"),
    value: z.int().nonnegative().max(10_000_000).nullable(),
    by: Reviewer,
    note: z.string().max(500).optional(),
  })
  .strict();
const ApproveBody = z
  .object({ by: Reviewer, asWritten: z.boolean().optional(), note: z.string().max(500).optional() })
  .strict();

export function registerDocumentRoutes(app: FastifyInstance, ctx: WebContext): void {
  const uploadsRoot = ctx.uploads.root;
  // Rows are rebuilt from the store only when a run stored something or an edit was made
  // (and every few seconds, for a CLI writing to the same folder).
  let cached: { at: number; version: number; rows: Promise<DocumentRow[]> } | null = null;
  const rows = async (): Promise<DocumentRow[]> => {
    const version = ctx.runs.resultsVersion;
    if (cached === null || cached.version !== version || Date.now() - cached.at > ROWS_TTL_MS) {
      const rows = ctx.backend.listResults().then((results) => results.map((result) => toDocumentRow(result, uploadsRoot)));
      cached = { at: Date.now(), version, rows };
      rows.catch(() => {
        cached = null;
      });
    }
    return [...(await cached.rows)];
  };
  const forget = () => {
    cached = null;
  };

  app.get("/api/documents", async (req, reply) => {
    const query = ListQuery.safeParse(req.query);
    if (!query.success) return reply.code(400).send({ error: z.prettifyError(query.error) });
    const q = query.data;
    const all = await rows();
    const counts = Object.fromEntries(STATUSES.map((s) => [s, all.filter((row) => row.status === s).length]));
    const page = queryRows(all, {
      ...(q.status !== undefined ? { status: q.status } : {}),
      ...(q.q !== undefined ? { text: q.q } : {}),
      ...(q.province !== undefined ? { province: q.province } : {}),
      ...(q.constituency !== undefined ? { constituency: q.constituency } : {}),
      sort: q.sort,
      descending: q.dir === "desc",
      offset: q.offset,
      limit: q.limit,
    });
    return { counts, ...page };
  });

  // Review queue: everything not verified, most severe first.
  app.get("/api/review", async () => {
    const queue = (await rows()).filter((row) => row.status !== "verified" && row.approvedBy === null);
    queue.sort((a, b) => b.priority - a.priority || a.path.localeCompare(b.path));
    return { total: queue.length, rows: queue.slice(0, 500) };
  });

  app.get("/api/documents/:id", async (req, reply) => {
    const params = IdParams.safeParse(req.params);
    if (!params.success) return reply.code(404).send({ error: "unknown document" });
    const result = await ctx.backend.getResult(params.data.id);
    if (result === null) return reply.code(404).send({ error: "unknown document" });
    const sources = result.document.sources.map((s) => displayPath(s.path, uploadsRoot));
    const pageCount = pageCountOf(result);
    return {
      result: { ...result, document: { ...result.document, sources: result.document.sources.map((s, i) => ({ ...s, path: sources[i] })) } },
      row: toDocumentRow(result, uploadsRoot),
      edits: await ctx.backend.listEdits(params.data.id),
      pages: Array.from({ length: pageCount }, (_, i) => ({ page: i + 1, url: `/api/documents/${params.data.id}/pages/${i + 1}` })),
    };
  });

  app.get("/api/documents/:id/pages/:page", async (req, reply) => {
    const params = PageParams.safeParse(req.params);
    if (!params.success) return reply.code(404).send({ error: "no such page" });
    const result = await ctx.backend.getResult(params.data.id);
    if (result === null) return reply.code(404).send({ error: "unknown document" });
    const sources = result.document.sources.map((s) => ({ ...s, path: path.resolve(uploadsRoot, s.path) }));
    const image = await ctx.pages.render(result.document.id, sources, pageCountOf(result), params.data.page);
    if (!image.ok) return reply.code(404).send({ error: image.error });
    return reply.type("image/jpeg").header("cache-control", "private, max-age=300").send(image.value);
  });

  app.post("/api/documents/:id/edits", async (req, reply) => {
    const params = IdParams.safeParse(req.params);
    if (!params.success) return reply.code(404).send({ error: "unknown document" });
    const body = EditBody.safeParse(req.body);
    if (!body.success) return reply.code(400).send({ error: z.prettifyError(body.error) });
    const { note, ...edit } = body.data;
    const outcome = await ctx.backend.applyEdit(params.data.id, note !== undefined ? { ...edit, note } : edit);
    forget();
    return sendOutcome(ctx, reply, outcome, uploadsRoot);
  });

  app.post("/api/documents/:id/approve", async (req, reply) => {
    const params = IdParams.safeParse(req.params);
    if (!params.success) return reply.code(404).send({ error: "unknown document" });
    const body = ApproveBody.safeParse(req.body);
    if (!body.success) return reply.code(400).send({ error: z.prettifyError(body.error) });
    const { by, asWritten, note } = body.data;
    const outcome = await ctx.backend.approve(params.data.id, {
      by,
      ...(asWritten !== undefined ? { asWritten } : {}),
      ...(note !== undefined ? { note } : {}),
    });
    forget();
    return sendOutcome(ctx, reply, outcome, uploadsRoot);
  });
}

/** Pages the document has: as prepared, or one per source file when it never got that far. */
function pageCountOf(result: FormResult): number {
  return Math.max(result.document.pages.length, result.document.sources.length);
}

function sendOutcome(ctx: WebContext, reply: import("fastify").FastifyReply, outcome: EditOutcome, uploadsRoot: string) {
  switch (outcome.kind) {
    case "not_found":
      return reply.code(404).send({ error: "unknown document" });
    case "invalid":
      return reply.code(409).send({ error: outcome.message, ...(outcome.messageTh !== undefined ? { errorTh: outcome.messageTh } : {}) });
    case "ok":
      ctx.reports.markStale();
      ctx.hub.broadcast("document", toDocumentRow(outcome.result, uploadsRoot));
      return reply.send({ row: toDocumentRow(outcome.result, uploadsRoot), checks: outcome.result.checks });
  }
}
