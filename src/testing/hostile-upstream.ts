import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createGzip } from "node:zlib";

/** How a hostile upstream answers every POST (any path, so it stands in for OpenAI and Anthropic alike). */
export type HostileBehaviour =
  /** Reads the request and never answers. */
  | { kind: "never-answer" }
  /** Sends 200 headers, then nothing. */
  | { kind: "headers-only"; contentType?: string }
  /** Sends 200 headers, then `chunk` every `everyMs` forever (a stalled-but-alive upstream). */
  | { kind: "drip"; everyMs: number; chunk?: string; contentType?: string }
  /** A 200 JSON body that never closes its string: `bytes` long, sent as fast as the client reads. */
  | { kind: "huge-body"; bytes: number }
  /** A gzip-encoded 200 JSON body that inflates to `bytes` (a few hundred KiB on the wire). */
  | { kind: "gzip-bomb"; bytes: number }
  /** A 200 with this raw text as an application/json body. */
  | { kind: "raw"; text: string; status?: number; headers?: Record<string, string> }
  /** A 200 with this value as its JSON body (wrong types, missing fields). */
  | { kind: "json"; body: unknown }
  /** A 200 event stream of these events (JSON-encoded unless strings), then the end. */
  | { kind: "sse"; events: unknown[] }
  /** A 200 event stream of these events, then the connection reset (no clean end). */
  | { kind: "reset-mid-stream"; events: unknown[] }
  /** An error status with these headers (e.g. 429 with `retry-after: 600`). */
  | { kind: "status"; status: number; headers?: Record<string, string>; body?: unknown };

export interface HostileUpstream {
  /** The server's origin, for Anthropic's `baseURL`. */
  origin: string;
  /** `origin` + `/v1`, for OpenAI's `baseURL`. */
  url: string;
  /** Mutable: switch between calls. */
  behaviour: HostileBehaviour;
  /** POST requests received. */
  posts: number;
  /** Bytes of body written to clients (before compression), all requests together. */
  bytesSent: number;
  close(): Promise<void>;
}

const CHUNK = 64 * 1024;

/**
 * A real HTTP server on 127.0.0.1 that misbehaves the way broken or hostile upstreams do, for the
 * fault suite: each behaviour must end an lmx call within its bound, never hang it or exhaust memory.
 * Generated bodies are written under backpressure, so the server itself stays small.
 */
export async function startHostileUpstream(behaviour: HostileBehaviour): Promise<HostileUpstream> {
  const timers = new Set<NodeJS.Timeout>();
  const state: HostileUpstream = { origin: "", url: "", behaviour, posts: 0, bytesSent: 0, close: async () => {} };
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (req.method !== "POST") return void res.writeHead(404).end();
      state.posts++;
      answer(state.behaviour, req, res, state, timers);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  state.origin = `http://127.0.0.1:${port}`;
  state.url = `${state.origin}/v1`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const t of timers) clearInterval(t);
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

function answer(
  b: HostileBehaviour,
  req: IncomingMessage,
  res: ServerResponse,
  state: HostileUpstream,
  timers: Set<NodeJS.Timeout>,
): void {
  switch (b.kind) {
    case "never-answer":
      return;
    case "headers-only":
      res.writeHead(200, { "content-type": b.contentType ?? "application/json" });
      res.flushHeaders();
      return;
    case "drip": {
      res.writeHead(200, { "content-type": b.contentType ?? "application/json" });
      const timer = setInterval(() => {
        if (res.destroyed) return void (clearInterval(timer), timers.delete(timer));
        state.bytesSent += Buffer.byteLength(b.chunk ?? " ");
        res.write(b.chunk ?? " ");
      }, b.everyMs);
      timers.add(timer);
      res.on("close", () => (clearInterval(timer), timers.delete(timer)));
      return;
    }
    case "huge-body":
      res.writeHead(200, { "content-type": "application/json" });
      return void pump(res, b.bytes, state);
    case "gzip-bomb": {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
      const gzip = createGzip();
      gzip.pipe(res);
      res.on("close", () => gzip.destroy());
      return void pump(gzip, b.bytes, state);
    }
    case "raw":
      res.writeHead(b.status ?? 200, { "content-type": "application/json", ...b.headers });
      return void res.end(b.text);
    case "json": {
      const text = JSON.stringify(b.body);
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      return void res.end(text);
    }
    case "sse":
    case "reset-mid-stream": {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      const text = b.events.map((e) => `data: ${typeof e === "string" ? e : JSON.stringify(e)}\n\n`).join("");
      if (b.kind === "sse") return void res.end(text);
      // Let the events reach the client, then reset the connection instead of ending the stream.
      return void res.write(text, () => req.socket.resetAndDestroy());
    }
    case "status": {
      const text = JSON.stringify(b.body ?? { error: { message: `status ${b.status}`, type: "rate_limit_exceeded" } });
      res.writeHead(b.status, { "content-type": "application/json", ...b.headers });
      return void res.end(text);
    }
  }
}

/** Writes a JSON prefix and then `x`s up to `total` bytes, waiting for the reader whenever the buffer is full. */
function pump(out: NodeJS.WritableStream & { destroyed?: boolean }, total: number, state: HostileUpstream): void {
  const head = Buffer.from(
    '{"id":"huge","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"',
  );
  const filler = Buffer.alloc(CHUNK, "x");
  let sent = 0;
  const write = (buf: Buffer) => {
    sent += buf.length;
    state.bytesSent += buf.length;
    return out.write(buf);
  };
  write(head);
  const more = () => {
    while (sent < total && !out.destroyed) {
      if (!write(filler.subarray(0, Math.min(CHUNK, total - sent)))) return void out.once("drain", more);
    }
    if (!out.destroyed) out.end('"}}]}');
  };
  more();
}
