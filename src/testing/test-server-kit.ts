import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

/** Failures a test server can inject into its POST endpoints, switchable per test. */
export interface TestServerFaults {
  /** Fail the first `count` POST requests with `status` (and a Retry-After header when given). */
  failFirst?: {
    count: number;
    status: number;
    retryAfter?: number | string;
    message?: string;
    /** Send this text as an HTML page instead of the API's JSON error (a proxy's or load balancer's error page). */
    html?: string;
  };
  /** Fail every `every`-th POST request (the 1st, the every+1-th, ...) with `status`: a flaky upstream failing a fraction of requests. */
  failEvery?: { every: number; status: number };
  /** Wait this long before answering (for timeouts and latency); a client that leaves ends the wait. */
  delayMs?: number;
  /** Wait this long between streamed events. */
  chunkDelayMs?: number;
  /** Answer 200 with a body that is not valid JSON, or valid JSON without the answer in it. */
  malformed?: "invalid-json" | "incomplete";
  /** Destroy the socket without answering: every request (`true`) or the first K. */
  dropConnection?: boolean | number;
  /** Destroy the socket of a streamed answer after this many events (a connection lost mid-stream). */
  dropAfterEvents?: number;
  /** End a streamed answer cleanly after this many events, before it is finished (a proxy closing an idle stream). */
  endAfterEvents?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (undefined for GET). */
  body: any;
  /** The client went away before the answer was complete (abort, timeout). */
  closedEarly: boolean;
}

/** One request being answered. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  record: RecordedRequest;
  /** 0-based count of POST requests so far. */
  postIndex: number;
}

export type ErrorBody = (status: number, message: string) => unknown;

/**
 * A real node:http server on 127.0.0.1 (port 0) that records every request, injects the configured
 * faults into POST requests, and hands the rest to `handle`.
 */
export async function startKitServer(options: {
  faults: TestServerFaults;
  errorBody: ErrorBody;
  handle: (exchange: Exchange) => Promise<void>;
}): Promise<{ origin: string; requests: RecordedRequest[]; close(): Promise<void> }> {
  const requests: RecordedRequest[] = [];
  let posts = 0;
  const server: Server = createServer(async (req, res) => {
    const record: RecordedRequest = {
      method: req.method ?? "GET",
      path: (req.url ?? "/").split("?")[0]!,
      headers: req.headers,
      body: undefined,
      closedEarly: false,
    };
    requests.push(record);
    res.on("close", () => {
      if (!res.writableFinished) record.closedEarly = true;
    });
    try {
      const text = await readBody(req);
      if (record.method !== "POST") return await options.handle({ req, res, record, postIndex: -1 });
      const postIndex = posts++;
      try {
        record.body = text ? JSON.parse(text) : {};
      } catch {
        return sendJson(res, 400, options.errorBody(400, "the request body is not valid JSON"));
      }
      const f = options.faults;
      if (f.dropConnection === true || (typeof f.dropConnection === "number" && postIndex < f.dropConnection))
        return void req.socket.destroy();
      if (f.delayMs && !(await waitUnlessClosed(res, f.delayMs))) return;
      if (f.failFirst && postIndex < f.failFirst.count) {
        const headers =
          f.failFirst.retryAfter !== undefined ? { "retry-after": String(f.failFirst.retryAfter) } : undefined;
        if (f.failFirst.html !== undefined)
          return void res.writeHead(f.failFirst.status, { "content-type": "text/html" }).end(f.failFirst.html);
        return sendJson(
          res,
          f.failFirst.status,
          options.errorBody(
            f.failFirst.status,
            f.failFirst.message ?? `injected failure ${postIndex + 1} of ${f.failFirst.count}`,
          ),
          headers,
        );
      }
      if (f.failEvery && postIndex % f.failEvery.every === 0)
        return sendJson(
          res,
          f.failEvery.status,
          options.errorBody(f.failEvery.status, `injected failure of POST ${postIndex + 1}`),
        );
      await options.handle({ req, res, record, postIndex });
    } catch (error) {
      if (!res.headersSent)
        sendJson(res, 500, options.errorBody(500, `test server error: ${(error as Error).message}`));
      else res.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Starts a server-sent-events answer; `send` writes one event and honours the chunk delay and drop fault. */
export function startSse(
  res: ServerResponse,
  faults: Pick<TestServerFaults, "chunkDelayMs" | "dropAfterEvents" | "endAfterEvents"> = {},
) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  let sent = 0;
  return {
    /** Writes `data` (a string or JSON) under an optional event name; false once the client has gone. */
    async send(data: unknown, event?: string): Promise<boolean> {
      if (sent > 0 && faults.chunkDelayMs && !(await waitUnlessClosed(res, faults.chunkDelayMs))) return false;
      if (res.destroyed || res.writableEnded) return false;
      const text = `${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
      sent++;
      if (faults.endAfterEvents !== undefined && sent >= faults.endAfterEvents) {
        res.end(text);
        return false;
      }
      if (faults.dropAfterEvents === undefined || sent < faults.dropAfterEvents) {
        res.write(text);
        return true;
      }
      // Let the last event reach the client before the connection goes, so it sees a cut-off stream.
      await new Promise<void>((resolve) => res.write(text, () => resolve()));
      res.socket?.destroy();
      return false;
    },
    end: () => {
      if (!res.writableEnded) res.end();
    },
  };
}

/** Resolves true after `ms`, or false as soon as the client closes the connection. */
export function waitUnlessClosed(res: ServerResponse, ms: number): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off("close", onClose);
      resolve(true);
    }, ms);
    res.once("close", onClose);
  });
}

/** Rough token count used by the test servers: whitespace-separated words. */
export function countTokens(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

/** The text of an OpenAI- or Anthropic-shaped content value (string or array of parts). */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((p) =>
      typeof p?.text === "string"
        ? p.text
        : typeof p?.content === "string"
          ? p.content
          : Array.isArray(p?.content)
            ? textOf(p.content)
            : "",
    )
    .join(" ");
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });
}
