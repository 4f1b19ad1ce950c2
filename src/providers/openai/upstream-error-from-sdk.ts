import { causeChain, errorCode } from "../../core/errors/cause-chain.ts";
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
  const make = (
    failure: UpstreamError["failure"],
    message: string,
    extra: { status?: number; retryAfter?: number } = {},
  ) => new UpstreamError({ provider, failure, message, cause: error, ...extra });

  // Subclasses first: the abort and timeout errors extend the connection error, which extends APIError.
  if (error instanceof classes.APIUserAbortError) return make("aborted", "the request was aborted");
  if (error instanceof classes.APIConnectionTimeoutError) return make("timeout", "the request timed out");
  if (error instanceof classes.APIConnectionError) return make("connection", connectionMessage(error));
  if (error instanceof classes.APIError) {
    const e = error as Error & { status?: number; headers?: Headers; error?: unknown; type?: unknown };
    return make("http", upstreamMessage(e), {
      status: e.status ?? statusOfType(e),
      retryAfter: retryAfterSeconds({ headers: e.headers }),
    });
  }
  if (error instanceof SyntaxError) return make("malformed", `the response body was not valid JSON (${error.message})`);
  // undici reports a body cut off mid-read (connection dropped while streaming) as a TypeError.
  if (
    error instanceof TypeError &&
    /terminated|socket|closed|ECONNRESET/i.test(`${error.message} ${String(error.cause)}`)
  )
    return make("connection", "the connection was dropped");
  return error;
}

/**
 * An error event inside a stream (Anthropic's `overloaded_error`, OpenAI's `server_error`) arrives
 * after a 200 and has no status of its own: its type says which one it stands for, so it is retried
 * (before any text reached the caller) like the same failure at the start would be.
 */
const STATUS_OF_TYPE: Record<string, number> = {
  overloaded_error: 529,
  api_error: 500,
  server_error: 500,
  rate_limit_error: 429,
  rate_limit_exceeded: 429,
  timeout_error: 504,
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
};

function statusOfType(e: { type?: unknown; error?: unknown }): number | undefined {
  const body = e.error as { type?: unknown; error?: { type?: unknown } } | undefined;
  const type = [e.type, body?.error?.type, body?.type].find((t) => typeof t === "string" && t in STATUS_OF_TYPE) as
    string | undefined;
  return type === undefined ? undefined : STATUS_OF_TYPE[type];
}

/**
 * The upstream's own words: `error.message` of its JSON error body. Any other body (a proxy's HTML
 * page naming its hosts) is not relayed: it stays in `cause`, for the server log.
 */
function upstreamMessage(e: Error & { status?: number; error?: unknown }): string {
  const body = e.error as { message?: unknown; error?: { message?: unknown } } | undefined;
  const own = body?.error?.message ?? body?.message;
  if (typeof own === "string" && own) return own;
  if (/status code \(no body\)/.test(e.message)) return "no body";
  return "a body that was not an API error (the server log has it)";
}

/**
 * What kind of network failure it was, in words that hold no host: the socket's own message names the
 * host and port of the endpoint, which are the operator's (it stays in `cause`, for the server log).
 */
function connectionMessage(error: Error): string {
  const text = [error, ...causeChain(error)].flatMap((e) => [errorCode(e) ?? "", e.message]).join(" ");
  const kind = CONNECTION_KINDS.find(([pattern]) => pattern.test(text))?.[1] ?? "network error";
  return `connection failed (${kind})`;
}

const CONNECTION_KINDS: [RegExp, string][] = [
  [/ECONNREFUSED/, "connection refused"],
  [/ENOTFOUND|EAI_AGAIN|EAI_NONAME/, "host name not resolved"],
  [/ECONNRESET|EPIPE|socket hang up/i, "connection reset"],
  [/ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|ECONNABORTED/, "connect timed out"],
  [/EHOSTUNREACH|ENETUNREACH/, "host unreachable"],
  [/CERT|SSL|TLS/, "TLS failure"],
];
