import type { IncomingMessage } from "node:http";
import { HttpError } from "./http-error.ts";

export interface ReadBodyOptions {
  maxBytes: number;
  timeoutMs: number;
}

/**
 * The request body as text, at most `maxBytes` (else 413) and within `timeoutMs` (else 408, so a
 * client dripping bytes cannot hold the request open). Read before any concurrency slot is taken.
 * Given the node request under a Hono request (see nodeRequest), it reads that directly: the web
 * stream a Request wraps around it costs more than the rest of a pass-through's body handling.
 */
export async function readBody(request: Request | IncomingMessage, options: ReadBodyOptions): Promise<string> {
  if (!(request instanceof Request)) return readIncoming(request, options);
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > options.maxBytes) throw tooLarge(options.maxBytes);
  if (!request.body) return "";
  const reader = request.body.getReader();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut(options.timeoutMs)), options.timeoutMs);
  });
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), timeout]);
      if (done) break;
      size += value.byteLength;
      if (size > options.maxBytes) throw tooLarge(options.maxBytes);
      chunks.push(value);
    }
  } catch (error) {
    reader.cancel().catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The same limits on a node request; on a refusal it stops reading (the answer closes the connection). */
function readIncoming(incoming: IncomingMessage, options: ReadBodyOptions): Promise<string> {
  const declared = Number(incoming.headers["content-length"] ?? NaN);
  if (declared > options.maxBytes) return Promise.reject(tooLarge(options.maxBytes));
  if (incoming.readableEnded) return Promise.resolve("");
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error?: unknown) => {
      clearTimeout(timer);
      incoming.off("data", onData);
      incoming.off("end", onEnd);
      incoming.off("error", finish);
      incoming.off("close", onClose);
      if (error === undefined) return resolve(Buffer.concat(chunks, size).toString("utf8"));
      incoming.pause();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > options.maxBytes) return finish(tooLarge(options.maxBytes));
      chunks.push(chunk);
    };
    const onEnd = () => finish();
    // Closed before its end: the client went away mid-body.
    const onClose = () => finish(cutOff());
    const timer = setTimeout(() => finish(timedOut(options.timeoutMs)), options.timeoutMs);
    incoming.on("data", onData);
    incoming.once("end", onEnd);
    incoming.once("error", finish);
    incoming.once("close", onClose);
  });
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError({
    status: 413,
    type: "invalid_request_error",
    code: "request_too_large",
    message: `the request body is larger than ${maxBytes} bytes`,
    headers: { connection: "close" },
  });
}

function timedOut(ms: number): HttpError {
  return new HttpError({
    status: 408,
    type: "invalid_request_error",
    code: "request_timeout",
    message: `the request body did not arrive within ${ms} ms`,
    headers: { connection: "close" },
  });
}

function cutOff(): HttpError {
  return new HttpError({
    status: 400,
    type: "invalid_request_error",
    code: "request_incomplete",
    message: "the request body ended before its end",
    headers: { connection: "close" },
  });
}
