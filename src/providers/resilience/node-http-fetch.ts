import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Readable, Transform } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";

/** How a reply body read over node:http is bounded (see boundedFetch). */
export interface BodyBounds {
  maxBytes: number;
  idleMs: number;
  tooLarge: () => Error;
  stalled: () => Error;
}

/** Statuses whose Response may have no body; the Response constructor refuses one for them. */
const NULL_BODY = new Set([101, 204, 205, 304]);
const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  "x-gzip": createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * The SDKs' JSON calls (a string body, or none) over node:http with keep-alive agents, the reply body
 * bounded as it arrives; anything else returns undefined for the caller to send through fetch. The
 * global fetch (undici) costs a pass-through more than all of lmx's own work: it clones every
 * request, streams a string body through a web stream and an async generator, and tees streams. What
 * the SDKs rely on is kept: the Response, decompression (the same Accept-Encoding as fetch), an abort
 * signal, errors shaped like fetch's (a TypeError "fetch failed" with the cause; a body cut off is a
 * TypeError "terminated"), and redirects (a 3xx with a Location is sent again through fetch).
 */
export function nodeHttpFetch(bounds: BodyBounds, fallback: typeof fetch) {
  const agents = {
    "http:": new HttpAgent({ keepAlive: true }),
    "https:": new HttpsAgent({ keepAlive: true }),
  };
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response | undefined> => {
    const body = init?.body;
    // Only a URL (what the SDKs pass): a Request object, whichever class made it, is fetch's to send.
    if ((typeof input !== "string" && !(input instanceof URL)) || (body != null && typeof body !== "string"))
      return undefined;
    const url = typeof input === "string" ? new URL(input) : input;
    const protocol = url.protocol as "http:" | "https:";
    if (protocol !== "http:" && protocol !== "https:") return undefined;
    const headers = plainHeaders(init?.headers);
    headers["accept-encoding"] ??= protocol === "https:" ? "gzip, deflate, br" : "gzip, deflate";
    if (body != null) headers["content-length"] = String(Buffer.byteLength(body));
    const send = (agent: HttpAgent) =>
      exchange({ url, protocol, agent, method: init?.method ?? "GET", headers, body, signal: init?.signal });
    let res: IncomingMessage;
    try {
      res = await send(agents[protocol]);
    } catch (error) {
      // A kept-alive socket the server closed meanwhile: the request never reached it, so send it once more.
      if (!(error as { reusedSocket?: boolean }).reusedSocket) throw error;
      res = await send(agents[protocol]);
    }
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location && init?.redirect !== "manual") {
      res.resume();
      return fallback(input, init);
    }
    const responseHeaders = new Headers();
    for (let i = 0; i < res.rawHeaders.length; i += 2)
      responseHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
    const noBody = NULL_BODY.has(status) || (init?.method ?? "GET").toUpperCase() === "HEAD";
    if (noBody) res.resume();
    const response = new Response(noBody ? null : boundedStream(decoded(res), bounds, init?.signal), {
      status,
      statusText: res.statusMessage,
      headers: responseHeaders,
    });
    Object.defineProperty(response, "url", { value: url.href });
    return response;
  };
}

function exchange(o: {
  url: URL;
  protocol: "http:" | "https:";
  agent: HttpAgent;
  method: string;
  headers: OutgoingHttpHeaders;
  body: string | null | undefined;
  signal: AbortSignal | null | undefined;
}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = o.protocol === "https:" ? httpsRequest : httpRequest;
    const req = request(o.url, {
      method: o.method.toUpperCase(),
      headers: o.headers,
      agent: o.agent,
      signal: o.signal ?? undefined,
    });
    req.once("response", resolve);
    req.once("error", (error) => {
      if (o.signal?.aborted) return reject(error);
      // fetch's shape, which the SDKs turn into their connection errors (the cause says what happened).
      const failed = new TypeError("fetch failed", { cause: error });
      const code = (error as NodeJS.ErrnoException).code;
      if (req.reusedSocket && (code === "ECONNRESET" || code === "EPIPE"))
        Object.assign(failed, { reusedSocket: true });
      reject(failed);
    });
    req.end(o.body ?? undefined);
  });
}

/** Headers as a plain object with lowercase names, whatever form the SDK gave them in. */
function plainHeaders(h: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  if (h instanceof Headers) h.forEach((value, name) => (out[name] = value));
  else if (Array.isArray(h)) for (const [name, value] of h) out[name!.toLowerCase()] = value!;
  else for (const [name, value] of Object.entries(h)) if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

/** The body decompressed as fetch would (one known coding); others pass through as fetch passes them. */
function decoded(res: IncomingMessage): Readable {
  const coding = res.headers["content-encoding"]?.trim().toLowerCase();
  const make = coding ? DECODERS[coding] : undefined;
  if (!make) return res;
  const decoder = make();
  res.on("error", (error) => decoder.destroy(error));
  return res.pipe(decoder);
}

/**
 * A web stream over a node one: more than `maxBytes` or a silence of `idleMs` while the reader waits
 * errors it and destroys the download. Data is pushed as it arrives and the source paused while the
 * reader is behind, so memory stays bounded too.
 */
function boundedStream(
  source: Readable,
  b: BodyBounds,
  signal: AbortSignal | null | undefined,
): ReadableStream<Uint8Array> {
  let total = 0;
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stopTimer = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  const fail = (error: Error) => {
    if (done) return;
    done = true;
    stopTimer();
    source.destroy();
    controller.error(error);
  };
  // Armed only while the reader waits for data, so it measures the upstream, not a slow reader.
  const arm = () => {
    if (done) return;
    if (timer) timer.refresh();
    else timer = setTimeout(() => fail(b.stalled()), b.idleMs);
  };
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        source.on("data", (chunk: Buffer) => {
          if (done) return;
          total += chunk.byteLength;
          if (total > b.maxBytes) return fail(b.tooLarge());
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) {
            source.pause();
            stopTimer();
          } else arm();
        });
        source.once("end", () => {
          if (done) return;
          done = true;
          stopTimer();
          controller.close();
        });
        const cut = (error?: Error) =>
          fail(
            signal?.aborted
              ? (signal.reason as Error)
              : new TypeError("terminated", { cause: error ?? new Error("the connection closed mid-body") }),
          );
        source.once("error", cut);
        source.once("close", () => cut());
        arm();
      },
      pull() {
        if (done) return;
        arm();
        source.resume();
      },
      cancel() {
        done = true;
        stopTimer();
        source.destroy();
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
}
