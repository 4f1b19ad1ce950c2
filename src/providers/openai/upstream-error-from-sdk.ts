import { UpstreamError } from "../../core/errors/upstream-error.ts";
import { retryAfterSeconds } from "./retry-after.ts";

type ErrorClass = abstract new (...args: never[]) => Error;

/** The error classes of a Stainless-generated SDK (openai and @anthropic-ai/sdk share the names). */
export interface SdkErrorClasses {
  APIError: ErrorClass;
  APIUserAbortError: ErrorClass;
  APIConnectionError: ErrorClass;
  APIConnectionTimeoutError: ErrorClass;
}

/**
 * Turns whatever an SDK call threw into a typed UpstreamError carrying the upstream's own status,
 * message and Retry-After. Errors that are not about the upstream (programming errors) pass through.
 */
export function upstreamErrorFromSdk(options: { error: unknown; provider: string; classes: SdkErrorClasses }): unknown {
  const { error, provider, classes } = options;
  if (UpstreamError.isInstance(error)) return error;
  const make = (failure: UpstreamError["failure"], message: string, extra: { status?: number; retryAfter?: number } = {}) =>
    new UpstreamError({ provider, failure, message, cause: error, ...extra });

  // Subclasses first: the abort and timeout errors extend the connection error, which extends APIError.
  if (error instanceof classes.APIUserAbortError) return make("aborted", "the request was aborted");
  if (error instanceof classes.APIConnectionTimeoutError) return make("timeout", "the request timed out");
  if (error instanceof classes.APIConnectionError) return make("connection", connectionMessage(error));
  if (error instanceof classes.APIError) {
    const e = error as Error & { status?: number; headers?: Headers; error?: unknown };
    return make("http", upstreamMessage(e), { status: e.status, retryAfter: retryAfterSeconds({ headers: e.headers }) });
  }
  if (error instanceof SyntaxError) return make("malformed", `the response body was not valid JSON (${error.message})`);
  // undici reports a body cut off mid-read (connection dropped while streaming) as a TypeError.
  if (error instanceof TypeError && /terminated|socket|closed|ECONNRESET/i.test(`${error.message} ${String(error.cause)}`))
    return make("connection", `the connection was dropped (${String(error.cause ?? error.message)})`);
  return error;
}

/** The upstream's own words: `error.message` of its JSON body, else the raw text without the status prefix. */
function upstreamMessage(e: Error & { status?: number; error?: unknown }): string {
  const body = e.error as { message?: unknown; error?: { message?: unknown } } | undefined;
  const own = body?.error?.message ?? body?.message;
  if (typeof own === "string" && own) return own;
  const prefix = e.status ? `${e.status} ` : "";
  return e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
}

function connectionMessage(error: Error): string {
  const cause = error.cause instanceof Error ? error.cause : undefined;
  const detail = cause ? [cause.message, cause.cause instanceof Error ? cause.cause.message : ""].filter(Boolean).join(": ") : "";
  // The SDK's own message is a long paragraph about undici proxies; the cause says what happened.
  return detail ? `connection failed (${detail})` : error.message;
}
