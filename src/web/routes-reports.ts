import { createReadStream } from "node:fs";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { displayPath } from "./document-rows.js";
import { storeOverview } from "./overview.js";
import type { WebContext } from "./context.js";

const TYPES: Readonly<Record<string, string>> = {
  ".csv": "text/csv; charset=utf-8",
  ".jsonl": "application/x-ndjson; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".pdf": "application/pdf",
};

/** How long /api/overview waits for the overview before answering that it is being counted. */
export const OVERVIEW_WAIT_MS = 500;

const NameQuery = z.object({ name: z.string().min(1).max(300) });

export function registerReportRoutes(app: FastifyInstance, ctx: WebContext): void {
  app.get("/api/reports", async (req) => {
    const all = (req.query as { pdfs?: string }).pdfs === "all";
    const { files, invalid, warnings } = await ctx.reports.current(all);
    return {
      files: files.map((f) => ({ name: f.name, bytes: f.bytes, url: `/api/report?name=${encodeURIComponent(f.name)}` })),
      // Stored results that no longer validate are left out of the files; say which, never drop them silently.
      invalid: invalid.map((bad) => ({ documentId: bad.documentId, error: ctx.redact(bad.error) })),
      warnings: warnings.map(ctx.redact),
    };
  });

  // Only a file the report writer just listed can be downloaded; the name is looked up, never joined to a path.
  app.get("/api/report", async (req, reply) => {
    const query = NameQuery.safeParse(req.query);
    if (!query.success) return reply.code(400).send({ error: "which report?" });
    const { files } = await ctx.reports.current();
    const file = files.find((f) => f.name === query.data.name);
    if (file === undefined) return reply.code(404).send({ error: "no such report" });
    const type = TYPES[path.extname(file.name).toLowerCase()] ?? "application/octet-stream";
    const base = path.basename(file.name);
    return reply
      .type(type)
      .header(
        "content-disposition",
        `attachment; filename="${base.replace(/[^\x20-\x7e]|"/g, "_")}"; filename*=UTF-8''${encodeURIComponent(base)}`,
      )
      .header("cache-control", "no-store")
      .send(createReadStream(file.path));
  });

  // Ready within OVERVIEW_WAIT_MS (after an edit: one constituency to recompute), or "being
  // counted" at once and the page asks again: the cold recompute of every constituency takes
  // about a second at national size on a loaded machine.
  app.get("/api/overview", () =>
    ctx.reports.overviewWithin(
      async () =>
        storeOverview(await ctx.backend.overviewAreas(), ctx.backend.reference?.() ?? undefined, (p) => displayPath(p, ctx.uploads.root)),
      OVERVIEW_WAIT_MS,
    ),
  );
}
