import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

export const TOKEN_COOKIE = "ballot_ocr_token";

export interface AccessPolicy {
  /** Required on every request when set (non-loopback hosts). */
  readonly token: string | null;
  /** Host names accepted in the Host header when no token is set (blocks DNS rebinding). */
  readonly loopbackHosts: readonly string[];
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** Only the usual loopback names serve without a token; any other bind address needs one. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host.toLowerCase());
}

export function generateAccessToken(): string {
  return randomBytes(24).toString("base64url");
}

/** Constant-time comparison; hashing first makes the lengths equal. */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

function readCookie(header: string | undefined, name: string): string | null {
  if (header === undefined) return null;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq < 0) continue;
    if (pair.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(pair.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

function bearer(req: FastifyRequest): string | null {
  const header = req.headers.authorization;
  if (header === undefined) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? null;
}

function queryToken(req: FastifyRequest): string | null {
  const url = new URL(req.url, "http://local");
  return url.searchParams.get("token");
}

function hostName(hostHeader: string | undefined): string {
  if (hostHeader === undefined) return "";
  if (hostHeader.startsWith("[")) return hostHeader.slice(0, hostHeader.indexOf("]") + 1);
  const colon = hostHeader.lastIndexOf(":");
  return colon >= 0 ? hostHeader.slice(0, colon) : hostHeader;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** A browser request from another site: its Origin differs from our Host, or Fetch Metadata says so. */
export function isCrossSite(req: FastifyRequest): boolean {
  const site = req.headers["sec-fetch-site"];
  if (typeof site === "string" && site !== "same-origin" && site !== "none") return true;
  const origin = req.headers.origin;
  if (typeof origin === "string") {
    if (origin === "null") return true;
    try {
      return new URL(origin).host !== req.headers.host;
    } catch {
      return true;
    }
  }
  return false;
}

/**
 * The one thing another site may do is open the page itself (a link to it). Everything else —
 * document data, page images, exports, the API, the page's own scripts — is same-origin only.
 */
function isTopLevelNavigationToPage(req: FastifyRequest): boolean {
  const mode = req.headers["sec-fetch-mode"];
  const dest = req.headers["sec-fetch-dest"];
  const pathname = new URL(req.url, "http://local").pathname;
  return pathname === "/" && (mode === undefined || mode === "navigate") && (dest === undefined || dest === "document");
}

function refuse(reply: FastifyReply, status: 401 | 403, message: string): FastifyReply {
  return reply.code(status).header("cache-control", "no-store").send({ error: message });
}

/**
 * Every request passes here first. With a token: the token (Bearer header, cookie, or ?token= once,
 * which becomes a cookie) is required. Without one (loopback): the Host must be a loopback name.
 * Nothing but a top-level navigation to the page may come from another site (Origin or Fetch Metadata).
 */
export function registerAccessControl(app: FastifyInstance, policy: AccessPolicy): void {
  const hosts = new Set(policy.loopbackHosts.map((h) => h.toLowerCase()));
  app.addHook("onRequest", async (req, reply) => {
    const viaHeader = bearer(req);
    if (policy.token !== null) {
      const fromQuery = queryToken(req);
      // A token in the address is the newest word: it wins over (and replaces) an old cookie.
      const presented = viaHeader ?? fromQuery ?? readCookie(req.headers.cookie, TOKEN_COOKIE);
      if (presented === null) return refuse(reply, 401, "access token required");
      if (!tokensEqual(presented, policy.token)) return refuse(reply, 403, "wrong access token");
      if (fromQuery !== null && req.method === "GET" && viaHeader === null) {
        // Swap the token in the address bar for an HttpOnly cookie, then drop it from the URL.
        const url = new URL(req.url, "http://local");
        url.searchParams.delete("token");
        reply.header("set-cookie", `${TOKEN_COOKIE}=${encodeURIComponent(policy.token)}; HttpOnly; SameSite=Strict; Path=/`);
        if (!url.pathname.startsWith("/api/")) return reply.redirect(url.pathname + url.search, 303);
      }
    } else {
      const name = hostName(req.headers.host).toLowerCase();
      if (!hosts.has(name)) return refuse(reply, 403, "unexpected Host header");
    }
    // A Bearer header proves nothing about where a browser request came from: check the origin always.
    if (isCrossSite(req) && !(SAFE_METHODS.has(req.method) && isTopLevelNavigationToPage(req))) {
      return refuse(reply, 403, "cross-site request refused");
    }
    return undefined;
  });
}
