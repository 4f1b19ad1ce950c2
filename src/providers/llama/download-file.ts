import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import path from "node:path";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import type { DownloadProgress } from "./download-progress.ts";

export interface DownloadFileOptions {
  url: string;
  /** Final path; bytes go to `<dest>.part` first and are renamed when complete. */
  dest: string;
  /** Names the download in messages (e.g. the `hf:` URI the user gave). */
  label: string;
  /** Headers sent to the first host only (an auth token must not follow a redirect to a CDN). */
  headers?: Record<string, string>;
  /** Give up when no connection is made within this time (default 5 s): offline must fail fast. */
  connectTimeoutMs?: number;
  /** Give up when no bytes arrive for this long (default 30 s). */
  idleTimeoutMs?: number;
  onProgress?: (progress: DownloadProgress) => void;
}

const OFFLINE_CODES = new Set([
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_FAIL",
  "ECONNREFUSED",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ENETDOWN",
  "ETIMEDOUT",
  "ECONNRESET",
  "CONNECT_TIMEOUT",
]);

export const OFFLINE_HINT =
  "Use a local model with --model llama:./file.gguf, or set OPENAI_BASE_URL (any OpenAI-compatible server) or ANTHROPIC_API_KEY.";

/**
 * Downloads `url` to `dest` through a `.part` file (resumed with a Range request when one is left over),
 * so an interrupted download is never mistaken for a model. Failures are ConfigurationErrors with one
 * clear line; being offline is said as such, within the connect timeout.
 */
export async function downloadFile(options: DownloadFileOptions): Promise<string> {
  const part = `${options.dest}.part`;
  await mkdir(path.dirname(options.dest), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    const have = (await stat(part).catch(() => undefined))?.size ?? 0;
    const res = await get(options, have > 0 ? { Range: `bytes=${have}-` } : {});
    if (res.statusCode === 416 && attempt === 0) {
      // The leftover part does not fit the file on the server any more: start over.
      res.resume();
      await rm(part, { force: true });
      continue;
    }
    if (!res.statusCode || res.statusCode < 200 || res.statusCode >= 300) {
      res.resume();
      const hint = res.statusCode === 401 || res.statusCode === 403 ? " (a gated or private model needs HF_TOKEN)" : "";
      throw new ConfigurationError(
        `cannot download ${options.label}: the server answered ${res.statusCode} ${res.statusMessage ?? ""}`.trimEnd() +
          hint,
      );
    }
    const append = res.statusCode === 206;
    const start = append ? have : 0;
    const length = Number(res.headers["content-length"]);
    const total = Number.isFinite(length) ? start + length : undefined;
    let received = start;
    const report = (done: boolean) =>
      options.onProgress?.({ label: options.label, receivedBytes: received, totalBytes: total, done });
    // Bytes that arrived are kept in the .part file even when the connection drops, so a retry resumes.
    const out = createWriteStream(part, { flags: append ? "a" : "w" });
    let broke: unknown;
    let writeError: Error | undefined;
    out.on("error", (error) => (writeError = error));
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        received += chunk.length;
        if (!out.write(chunk)) await once(out, "drain");
        report(false);
      }
    } catch (error) {
      broke = res.cutReason ?? error;
    }
    await new Promise<void>((resolve) => out.end(resolve));
    if (writeError) throw new ConfigurationError(`cannot write ${part}: ${writeError.message}`, { cause: writeError });
    if (broke)
      throw new ConfigurationError(
        `cannot download ${options.label}: the transfer broke off after ${received} bytes (${reason(broke)}); run again to resume`,
        { cause: broke },
      );
    if (total !== undefined && received !== total)
      throw new ConfigurationError(
        `cannot download ${options.label}: got ${received} of ${total} bytes; run again to resume`,
      );
    await rename(part, options.dest);
    report(true);
    return options.dest;
  }
}

/** GET with redirects, a connect timeout and an idle timeout; network failures become ConfigurationErrors. */
async function get(options: DownloadFileOptions, extra: Record<string, string>): Promise<Response> {
  let url = new URL(options.url);
  const firstHost = url.host;
  for (let hops = 0; hops < 10; hops++) {
    const headers = { "user-agent": "lmx", ...(url.host === firstHost ? options.headers : {}), ...extra };
    let res: Response;
    try {
      res = await request(url, headers, options.connectTimeoutMs ?? 5_000, options.idleTimeoutMs ?? 30_000);
    } catch (error) {
      const offline = OFFLINE_CODES.has((error as { code?: string }).code ?? "");
      throw new ConfigurationError(
        offline
          ? `cannot download ${options.label}: offline (${reason(error)}). ${OFFLINE_HINT}`
          : `cannot download ${options.label}: ${reason(error)}`,
        { cause: error },
      );
    }
    const location = res.headers.location;
    if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location) {
      res.resume();
      url = new URL(location, url);
      continue;
    }
    return res;
  }
  throw new ConfigurationError(`cannot download ${options.label}: too many redirects`);
}

/** A response, and why we cut its connection if we did (the body stream only says "aborted"). */
type Response = IncomingMessage & { cutReason?: Error };

function request(
  url: URL,
  headers: Record<string, string>,
  connectTimeoutMs: number,
  idleTimeoutMs: number,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === "https:" ? https : url.protocol === "http:" ? http : undefined;
    if (!client) return reject(new Error(`unsupported protocol ${url.protocol}`));
    const req = client.get(url, { headers });
    const connectTimer = setTimeout(() => {
      req.destroy(
        Object.assign(new Error(`no connection to ${url.host} within ${connectTimeoutMs / 1000} s`), {
          code: "CONNECT_TIMEOUT",
        }),
      );
    }, connectTimeoutMs);
    req.on("socket", (socket) => {
      if (!socket.connecting) return clearTimeout(connectTimer);
      socket.once("connect", () => clearTimeout(connectTimer));
    });
    let response: Response | undefined;
    req.setTimeout(idleTimeoutMs, () => {
      const error = Object.assign(new Error(`no data for ${idleTimeoutMs / 1000} s`), { code: "ETIMEDOUT" });
      if (response) response.cutReason = error;
      req.destroy(error);
    });
    req.on("response", (res: Response) => {
      response = res;
      clearTimeout(connectTimer);
      resolve(res);
    });
    req.on("error", (error) => {
      clearTimeout(connectTimer);
      reject(error);
    });
  });
}

function reason(error: unknown): string {
  const e = error as { code?: string; message?: string; errors?: { message: string }[] };
  // Node reports a failed happy-eyeballs connect as an AggregateError with an empty message.
  const message = e?.message || e?.errors?.map((x) => x.message).join("; ") || String(error);
  return e?.code && !message.includes(e.code) ? `${e.code}: ${message}` : message;
}
