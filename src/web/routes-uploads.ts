import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { WebContext } from "./context.js";
import type { AcceptedFile, RefusedFile } from "./upload-store.js";

const UploadQuery = z.object({ batch: z.string().max(64).optional() });
const BatchParams = z.object({ batch: z.string().max(64) });

/**
 * POST /api/uploads?batch=ID — multipart with, per file, a "path" field (the relative path in the
 * dropped folder) followed by the "file" part. Each file is accepted or refused on its own.
 */
export function registerUploadRoutes(app: FastifyInstance, ctx: WebContext): void {
  app.get("/api/uploads", async () => ({ batches: await ctx.uploads.listBatches(), limits: ctx.uploads.limits }));

  app.get("/api/uploads/:batch", async (req, reply) => {
    const params = BatchParams.safeParse(req.params);
    if (!params.success || !(await ctx.uploads.exists(params.data.batch))) {
      return reply.code(404).send({ error: "unknown batch" });
    }
    const batch = params.data.batch;
    return { batch: await ctx.uploads.info(batch), files: await ctx.uploads.listFiles(batch) };
  });

  app.post("/api/uploads", async (req, reply) => {
    if (!req.isMultipart()) return reply.code(415).send({ error: "send the files as multipart/form-data" });
    const query = UploadQuery.safeParse(req.query);
    if (!query.success) return reply.code(400).send({ error: "bad query" });
    let batch: string;
    if (query.data.batch === undefined || query.data.batch === "") {
      const created = await ctx.uploads.createBatch();
      if (!created.ok) return reply.code(507).send({ error: created.error });
      batch = created.value;
    } else if (await ctx.uploads.exists(query.data.batch)) batch = query.data.batch;
    else return reply.code(404).send({ error: "unknown batch" });

    const accepted: AcceptedFile[] = [];
    const refused: RefusedFile[] = [];
    let pendingPath: string | null = null;
    let stoppedBy: string | null = null;
    try {
      for await (const part of req.parts()) {
        if (part.type === "field") {
          if (part.fieldname === "path" && typeof part.value === "string") pendingPath = part.value;
          continue;
        }
        const name = pendingPath ?? part.filename;
        pendingPath = null;
        const saved = await ctx.uploads.save(batch, name, part.file);
        if (saved.ok) accepted.push(saved.value);
        else refused.push(saved.error);
      }
    } catch (error) {
      // Count/parts limits or a broken body: keep what was stored and say why the rest stopped.
      const code = (error as { code?: string }).code;
      stoppedBy =
        code === "FST_FILES_LIMIT" || code === "FST_PARTS_LIMIT" || code === "FST_FIELDS_LIMIT"
          ? `too many files in one request (limit ${ctx.uploads.limits.maxFilesPerRequest}); the rest were not read`
          : "the upload was cut off; the files after this point were not read";
    }
    if (accepted.length > 0) ctx.reports.markStale();
    const status = accepted.length === 0 && (refused.length > 0 || stoppedBy !== null) ? 422 : 200;
    return reply.code(status).send({
      batch,
      accepted,
      refused,
      ...(stoppedBy !== null ? { error: stoppedBy } : {}),
      totals: await ctx.uploads.info(batch),
    });
  });
}
