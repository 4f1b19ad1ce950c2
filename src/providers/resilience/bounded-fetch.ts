import { UpstreamError } from "../../core/errors/upstream-error.ts";
import { nodeHttpFetch } from "./node-http-fetch.ts";

/** Default cap on one upstream reply's body, after decompression. */
export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** Default longest silence between two chunks of a reply's body (after its headers). */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

export interface BoundedFetchOptions {
  provider: string;
  /** The fetch to wrap (default: the global one). */
  fetch?: typeof fetch;
  /** Longest body accepted, counted after decompression, so a gzip bomb is cut as it inflates. */
  maxResponseBytes?: number;
  /** Longest wait for the next body chunk: a stalled body or a headers-only answer ends here. */
  idleTimeoutMs?: number;
}

/** Statuses whose Response may have no body; the Response constructor refuses one for them. */
const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * A fetch for SDK clients whose reply bodies are bounded in size and in silence: more than
 * `maxResponseBytes` (decoded) or no byte for `idleTimeoutMs` fails the read with an UpstreamError
 * ("malformed" / "timeout") and cancels the download, so memory and time stay bounded whatever the
 * upstream sends. The per-attempt timeout of defineProvider still bounds the whole exchange.
 */
export function boundedFetch(options: BoundedFetchOptions): typeof fetch {
  const inner = options.fetch ?? globalThis.fetch;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const tooLarge = () =>
    new UpstreamError({
      provider: options.provider,
      failure: "malformed",
      message: `the reply was larger than ${maxBytes} bytes (maxResponseBytes)`,
    });
  const stalled = () =>
    new UpstreamError({
      provider: options.provider,
      failure: "timeout",
      message: `the reply stalled: no data for ${idleMs} ms (idleTimeoutMs)`,
    });

  // Without a fetch of the caller's own, the SDKs' JSON calls go over node:http (see nodeHttpFetch).
  const fast = options.fetch
    ? undefined
    : nodeHttpFetch({ maxBytes, idleMs, tooLarge, stalled }, (input, init) => inner(input, init));
  return async (input, init) => {
    const quick = await fast?.(input, init);
    if (quick) return checkDeclared(quick, maxBytes, tooLarge);
    const response = await inner(input, init);
    if (!response.body || NULL_BODY.has(response.status)) return response;
    const declared = Number(response.headers.get("content-length") ?? NaN);
    if (!response.headers.has("content-encoding") && declared > maxBytes) {
      await response.body.cancel().catch(() => {});
      throw tooLarge();
    }
    const body = boundedBody(response.body, { maxBytes, idleMs, tooLarge, stalled });
    const bounded = new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
    Object.defineProperty(bounded, "url", { value: response.url });
    return bounded;
  };
}

/** A declared Content-Length over the cap (without compression) is refused before the body is read. */
async function checkDeclared(response: Response, maxBytes: number, tooLarge: () => Error): Promise<Response> {
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (response.body && !response.headers.has("content-encoding") && declared > maxBytes) {
    await response.body.cancel().catch(() => {});
    throw tooLarge();
  }
  return response;
}

function boundedBody(
  source: ReadableStream<Uint8Array>,
  o: { maxBytes: number; idleMs: number; tooLarge: () => Error; stalled: () => Error },
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let total = 0;
  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, error: Error) => {
    reader.cancel(error).catch(() => {});
    controller.error(error);
  };
  return new ReadableStream<Uint8Array>(
    {
      // Called only while the reader waits for data, so the idle timer measures the upstream, not a slow reader.
      async pull(controller) {
        let timer: NodeJS.Timeout | undefined;
        const idle = new Promise<"idle">((resolve) => (timer = setTimeout(() => resolve("idle"), o.idleMs)));
        try {
          const next = await Promise.race([reader.read(), idle]);
          if (next === "idle") return fail(controller, o.stalled());
          if (next.done) return controller.close();
          total += next.value.byteLength;
          if (total > o.maxBytes) return fail(controller, o.tooLarge());
          controller.enqueue(next.value);
        } catch (error) {
          controller.error(error);
        } finally {
          clearTimeout(timer);
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}
