import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";

/** The page's files: a fixed list, so no request path ever reaches the file system. */
const FILES: Readonly<Record<string, string>> = {
  "index.html": "text/html; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "core.js": "text/javascript; charset=utf-8",
  "upload.js": "text/javascript; charset=utf-8",
  "run.js": "text/javascript; charset=utf-8",
  "results.js": "text/javascript; charset=utf-8",
  "document.js": "text/javascript; charset=utf-8",
  "review.js": "text/javascript; charset=utf-8",
  "summary.js": "text/javascript; charset=utf-8",
  "i18n.js": "text/javascript; charset=utf-8",
  "style.css": "text/css; charset=utf-8",
  "favicon.svg": "image/svg+xml",
};

/** src/web/public next to this file (tsx), or the same folder from dist/web (built package ships src/web/public). */
export function publicDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, "public"), path.join(here, "..", "..", "src", "web", "public")];
  return candidates.find((dir) => existsSync(path.join(dir, "index.html"))) ?? candidates[0]!;
}

const CSP = [
  "default-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join("; ");

export async function registerStaticFiles(app: FastifyInstance, dir = publicDir()): Promise<void> {
  const contents = new Map<string, Buffer>();
  for (const name of Object.keys(FILES)) contents.set(name, await readFile(path.join(dir, name)));
  const serve = (name: string) => async (_req: unknown, reply: import("fastify").FastifyReply) => {
    reply
      .type(FILES[name] ?? "application/octet-stream")
      .header("cache-control", "no-cache")
      .header("content-security-policy", CSP)
      .header("x-content-type-options", "nosniff")
      .header("referrer-policy", "no-referrer");
    return reply.send(contents.get(name));
  };
  app.get("/", serve("index.html"));
  // Browsers ask for /favicon.ico whatever the page links: answer with the same icon, not a 404.
  app.get("/favicon.ico", serve("favicon.svg"));
  for (const name of Object.keys(FILES)) app.get(`/${name}`, serve(name));
}
