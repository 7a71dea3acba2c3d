import path from "node:path";
import multipart from "@fastify/multipart";
import Fastify, { type FastifyError, type FastifyInstance } from "fastify";
import { type AccessPolicy, registerAccessControl } from "./access.js";
import type { WebContext } from "./context.js";
import { displayPath } from "./document-rows.js";
import { CellCropService } from "./cell-crop-service.js";
import { PageImages } from "./page-images.js";
import type { WebBackend } from "./ports.js";
import { makeRedactor } from "./redact.js";
import { ReportCache } from "./report-cache.js";
import { registerDocumentRoutes } from "./routes-documents.js";
import { registerReportRoutes } from "./routes-reports.js";
import { registerRunRoutes } from "./routes-runs.js";
import { registerUploadRoutes } from "./routes-uploads.js";
import { RunManager } from "./run-manager.js";
import { SseHub } from "./sse-hub.js";
import { registerStaticFiles } from "./static-files.js";
import { DEFAULT_UPLOAD_LIMITS, UploadStore, type UploadLimits } from "./upload-store.js";

export interface WebServerOptions {
  /** Workspace: uploads/, the store and the exports live here. */
  readonly outDir: string;
  readonly backend: WebBackend;
  /** Required on every request when set; null serves loopback only. */
  readonly token: string | null;
  /** Host names accepted in the Host header without a token. */
  readonly loopbackHosts?: readonly string[];
  readonly uploadLimits?: UploadLimits;
  /** Diagnostics for unexpected errors; messages only, the key is scrubbed. */
  readonly log?: (line: string) => void;
}

export interface WebServer {
  readonly app: FastifyInstance;
  readonly runs: RunManager;
  readonly uploads: UploadStore;
  close(): Promise<void>;
}

export async function createWebServer(options: WebServerOptions): Promise<WebServer> {
  const redact = makeRedactor(options.backend.secrets());
  const log = options.log ?? (() => undefined);
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, trustProxy: false });
  const uploadLimits = options.uploadLimits ?? DEFAULT_UPLOAD_LIMITS;
  const uploadsRoot = path.join(options.outDir, "uploads");
  const uploads = new UploadStore(uploadsRoot, uploadLimits);
  await uploads.cleanIncoming();
  const hub = new SseHub(redact);
  const reports = new ReportCache(options.backend);
  const runs = new RunManager(
    options.backend,
    hub,
    () => reports.markStale(),
    (file) => displayPath(file, uploadsRoot),
  );
  reports.followRuns(() => runs.isActive());
  const pages = new PageImages(uploadsRoot);
  const crops = new CellCropService(uploadsRoot);
  const context: WebContext = { backend: options.backend, uploads, runs, hub, reports, pages, crops, redact };

  const policy: AccessPolicy = {
    token: options.token,
    loopbackHosts: options.loopbackHosts ?? ["127.0.0.1", "localhost", "[::1]"],
  };
  registerAccessControl(app, policy);

  app.setErrorHandler((error: FastifyError, _req, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) log(`web error: ${redact(error.message)}`);
    const message = status >= 500 ? "internal error; see the server log" : redact(error.message);
    return reply.code(status).send({ error: message });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: "not found" }));
  // Last look at every text body before it leaves: no API key, whatever produced it.
  app.addHook("onSend", async (_req, reply, payload) => {
    reply.header("x-content-type-options", "nosniff");
    return typeof payload === "string" ? redact(payload) : payload;
  });

  await app.register(multipart, {
    throwFileSizeLimit: false,
    limits: {
      fileSize: uploadLimits.maxFileBytes,
      files: uploadLimits.maxFilesPerRequest,
      parts: uploadLimits.maxFilesPerRequest * 2 + 10,
      fields: uploadLimits.maxFilesPerRequest + 10,
      fieldSize: 4096,
    },
  });
  await registerStaticFiles(app);
  registerUploadRoutes(app, context);
  registerRunRoutes(app, context);
  registerDocumentRoutes(app, context);
  registerReportRoutes(app, context);

  return {
    app,
    runs,
    uploads,
    close: async () => {
      await runs.close();
      hub.closeAll();
      await pages.close();
      await crops.close();
      await app.close();
      await options.backend.close();
    },
  };
}
