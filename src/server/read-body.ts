import { HttpError } from "./http-error.ts";

/**
 * The request body as text, at most `maxBytes` (else 413) and within `timeoutMs` (else 408, so a
 * client dripping bytes cannot hold the request open). Read before any concurrency slot is taken.
 */
export async function readBody(request: Request, options: { maxBytes: number; timeoutMs: number }): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > options.maxBytes) throw tooLarge(options.maxBytes);
  if (!request.body) return "";
  const reader = request.body.getReader();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new HttpError({
            status: 408,
            type: "invalid_request_error",
            code: "request_timeout",
            message: `the request body did not arrive within ${options.timeoutMs} ms`,
            headers: { connection: "close" },
          }),
        ),
      options.timeoutMs,
    );
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

function tooLarge(maxBytes: number): HttpError {
  return new HttpError({
    status: 413,
    type: "invalid_request_error",
    code: "request_too_large",
    message: `the request body is larger than ${maxBytes} bytes`,
    headers: { connection: "close" },
  });
}
