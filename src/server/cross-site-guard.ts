import type { Context, Next } from "hono";
import { isLoopback } from "./access.ts";
import { HttpError } from "./http-error.ts";

/**
 * Refuses what a web page in the operator's browser could send: a request whose `Origin` is neither
 * in `origins` nor this server's own page on a loopback host (403), and API bodies that are not
 * `application/json` (415: forms and `text/plain` are "simple" requests a page may send without
 * asking). Listed origins get CORS headers and their preflights answered.
 */
export function crossSiteGuard(options: {
  origins: readonly string[];
  jsonRoutes: readonly string[];
  /** Serving local clients only (no keys): a `Host` that is not a loopback name is a rebound DNS name (403). */
  loopbackHostOnly?: boolean;
}) {
  const allowed = new Set(options.origins.map((o) => o.replace(/\/+$/, "")));
  return async (c: Context, next: Next) => {
    // A page on a name rebound to 127.0.0.1 sends no Origin on its own GETs; its Host still names it.
    if (options.loopbackHostOnly && !isLoopback(hostnameOf(c.req.header("host"))))
      throw new HttpError({
        status: 403,
        type: "invalid_request_error",
        code: "host_not_allowed",
        message: "this server serves local clients only: address it as 127.0.0.1, [::1] or localhost",
      });
    const origin = c.req.header("origin");
    if (origin !== undefined) {
      const listed = allowed.has(origin);
      if (!listed && !ownLoopbackPage(origin, c.req.header("host")))
        throw new HttpError({
          status: 403,
          type: "invalid_request_error",
          code: "origin_not_allowed",
          message:
            "requests from this web origin are not allowed (the operator lists allowed ones in server.corsOrigins)",
        });
      if (listed) {
        c.header("access-control-allow-origin", origin);
        c.header("vary", "Origin");
        if (c.req.method === "OPTIONS")
          return c.body(null, 204, {
            "access-control-allow-methods": "GET, POST",
            "access-control-allow-headers": "authorization, content-type",
            "access-control-max-age": "600",
          });
      }
    }
    if (c.req.method === "POST" && options.jsonRoutes.includes(c.req.path) && !isJson(c.req.header("content-type")))
      throw new HttpError({
        status: 415,
        type: "invalid_request_error",
        code: "unsupported_media_type",
        message: "send the body as JSON with Content-Type: application/json",
      });
    await next();
  };
}

function hostnameOf(host: string | undefined): string | undefined {
  if (!host) return undefined;
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return undefined;
  }
}

function isJson(type: string | undefined): boolean {
  return type !== undefined && /^application\/json\s*(;|$)/i.test(type.trim());
}

/** `/ui` served by this server on a loopback host calls the API from its own origin (the host must match too). */
function ownLoopbackPage(origin: string, host: string | undefined): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return host !== undefined && url.host === host.toLowerCase() && isLoopback(url.hostname);
}
