import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { type FormResult, STATUSES } from "../forms/form-result.js";
import { RESULT_SORT_KEYS } from "../storage/result-index.js";
import { displayPath, forDisplay, toDocumentRow } from "./document-rows.js";
import { reviewDigest } from "../aggregate/review-digest.js";
import type { CropPart } from "./cell-crop-service.js";
import type { EditOutcome } from "./ports.js";
import type { WebContext } from "./context.js";

const ListQuery = z.object({
  status: z.enum(STATUSES).optional(),
  q: z.string().max(200).optional(),
  province: z.string().max(100).optional(),
  constituency: z.coerce.number().int().min(0).optional(),
  sort: z.enum(RESULT_SORT_KEYS).default("path"),
  dir: z.enum(["asc", "desc"]).default("asc"),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

const QueueQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
const NextQuery = z.object({
  after: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});

const IdParams = z.object({ id: z.string().regex(/^[0-9a-f]{64}$/) });
const CropParams = IdParams.extend({
  field: z.string().regex(/^(totals\.[A-Za-z]+|votes\.[0-9]{1,3})$/),
  part: z.enum(["digits", "words"]),
});
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
const ApproveBody = z.object({ by: Reviewer, asWritten: z.boolean().optional(), note: z.string().max(500).optional() }).strict();

export function registerDocumentRoutes(app: FastifyInstance, ctx: WebContext): void {
  const uploadsRoot = ctx.uploads.root;
  app.get("/api/documents", async (req, reply) => {
    const query = ListQuery.safeParse(req.query);
    if (!query.success) return reply.code(400).send({ error: z.prettifyError(query.error) });
    const q = query.data;
    // Filtered, sorted and paged in the store (SQLite indexes): flat at national size.
    const page = await ctx.backend.queryResults({
      ...(q.status !== undefined ? { status: q.status } : {}),
      ...(q.q !== undefined ? { text: q.q } : {}),
      ...(q.province !== undefined ? { province: q.province } : {}),
      ...(q.constituency !== undefined ? { constituency: q.constituency } : {}),
      sort: q.sort,
      descending: q.dir === "desc",
      offset: q.offset,
      limit: q.limit,
    });
    return { counts: await ctx.backend.countResults(), total: page.total, rows: page.rows.map((row) => forDisplay(row, uploadsRoot)) };
  });

  // Review queue: what a person still has to look at, most votes at stake first.
  app.get("/api/review", async (req, reply) => {
    const query = QueueQuery.safeParse(req.query);
    if (!query.success) return reply.code(400).send({ error: z.prettifyError(query.error) });
    const page = await ctx.backend.queryResults({
      queue: true,
      sort: "priority",
      descending: true,
      offset: query.data.offset,
      limit: query.data.limit,
    });
    return { total: page.total, offset: query.data.offset, rows: page.rows.map((row) => forDisplay(row, uploadsRoot)) };
  });

  // The queue's next form after this one (the review view opens it when a form is done).
  app.get("/api/review/next", async (req, reply) => {
    const query = NextQuery.safeParse(req.query);
    if (!query.success) return reply.code(400).send({ error: z.prettifyError(query.error) });
    const page = await ctx.backend.queryResults({ queue: true, sort: "priority", descending: true, offset: 0, limit: 2 });
    const next = page.rows.find((row) => row.id !== query.data.after) ?? null;
    return { next: next === null ? null : forDisplay(next, uploadsRoot), remaining: page.total };
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
      review: reviewOf(result),
    };
  });

  // A cell's crop (its digits or its words), cut from the uploaded source at full resolution.
  app.get("/api/documents/:id/crops/:field/:part", async (req, reply) => {
    const params = CropParams.safeParse(req.params);
    if (!params.success) return reply.code(404).send({ error: "no such cell" });
    const result = await ctx.backend.getResult(params.data.id);
    if (result === null) return reply.code(404).send({ error: "unknown document" });
    // Stored source paths are resolved inside the uploads folder by the page preparation itself.
    const crop = await ctx.crops.crop(result, params.data.field, params.data.part);
    if (!crop.ok) return reply.code(404).send({ error: crop.error });
    return reply.type("image/jpeg").header("cache-control", "private, max-age=300").send(crop.value);
  });

  app.get("/api/documents/:id/pages/:page", async (req, reply) => {
    const params = PageParams.safeParse(req.params);
    if (!params.success) return reply.code(404).send({ error: "no such page" });
    const result = await ctx.backend.getResult(params.data.id);
    if (result === null) return reply.code(404).send({ error: "unknown document" });
    const image = await ctx.pages.render(result.document.id, result.document.sources, pageCountOf(result), params.data.page);
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
    return sendOutcome(ctx, reply, outcome, uploadsRoot);
  });
}

/** What the review view needs: each doubted cell once, its sentence, proposed value and crops. */
function reviewOf(result: FormResult) {
  const digest = reviewDigest(result);
  const id = result.document.id;
  const crop = (field: string, part: CropPart) => `/api/documents/${id}/crops/${field}/${part}`;
  return {
    cells: digest.cells.map((cell) => ({ ...cell, crops: { digits: crop(cell.field, "digits"), words: crop(cell.field, "words") } })),
    form: digest.form,
    votesAtStake: digest.votesAtStake,
    impact: digest.impactText,
    /** Crop addresses for any cell: replace FIELD with votes.N or totals.<key>. */
    cropUrl: crop("FIELD", "digits"),
  };
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
