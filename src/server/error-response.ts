import { AbortedError } from "../core/errors/aborted-error.ts";
import { causeChain } from "../core/errors/cause-chain.ts";
import { BudgetExceededError } from "../core/errors/budget-error.ts";
import { ConfigurationError } from "../core/errors/configuration-error.ts";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import { UpstreamError } from "../core/errors/upstream-error.ts";
import { HostResourceError } from "../techniques/spec/host-resource-error.ts";
import { HttpError } from "./http-error.ts";
import { ModelNotFoundError } from "../core/errors/model-not-found-error.ts";
import { scrubSecrets } from "./scrub-secrets.ts";
import { SharedStateUnavailableError } from "../shared-state/shared-state-unavailable-error.ts";

/** An error as the OpenAI API answers it: `{error: {message, type, param, code}}` and a status. */
export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: { error: { message: string; type: string; param: string | null; code: string | null } };
  /** A bug or a host problem, not a refusal: its detail goes to the server log, never to the client. */
  internal: boolean;
}

type Make = (
  status: number,
  type: string,
  code: string | null,
  message: string,
  param?: string,
  headers?: Record<string, string>,
  internal?: boolean,
) => ErrorResponse;

/**
 * Maps anything a request can throw to the status and body an OpenAI client expects. Upstream
 * failures are 502 (504 when they timed out); only errors lmx did not mean to throw are 500. Host
 * problems (configuration errors, bugs) answer a fixed message: their text can hold paths, file
 * contents or subprocess output, which are the operator's, so only the server log gets it.
 * Every message is scrubbed of anything that looks like a key.
 */
export function errorResponse(error: unknown, options: { secrets?: readonly string[] } = {}): ErrorResponse {
  const make: Make = (status, type, code, message, param, headers = {}, internal = false) => ({
    status,
    headers,
    body: { error: { message: bounded(scrubSecrets(message, options.secrets)), type, param: param ?? null, code } },
    internal,
  });
  if (HttpError.isInstance(error))
    return make(error.status, error.type, error.code, error.message, error.param, error.headers);
  if (ModelNotFoundError.isInstance(error))
    return make(404, "invalid_request_error", "model_not_found", error.message, "model");
  if (HostResourceError.isInstance(error))
    return make(400, "invalid_request_error", "host_resource_not_allowed", error.message, error.param);
  if (InvalidRequestError.isInstance(error))
    return make(400, "invalid_request_error", null, error.message, error.param);
  if (BudgetExceededError.isInstance(error))
    return make(400, "invalid_request_error", "budget_exceeded", `${error.message} before any answer`, "lmx.budget");
  if (AbortedError.isInstance(error)) return make(499, "invalid_request_error", "client_closed_request", error.message);
  if (ConfigurationError.isInstance(error))
    return make(
      503,
      "server_error",
      "configuration_error",
      "lmx is not configured for this request; the server log has the detail",
      undefined,
      {},
      true,
    );
  if (UpstreamError.isInstance(error)) return upstream(error, make);
  if (SharedStateUnavailableError.isInstance(error))
    return make(
      503,
      "server_error",
      "shared_state_unavailable",
      "lmx's shared state is unavailable; retry shortly",
      undefined,
      { "retry-after": "1" },
      true,
    );
  return make(
    500,
    "server_error",
    "internal_error",
    "internal error in lmx; the server log has the detail",
    undefined,
    {},
    true,
  );
}

function upstream(error: UpstreamError, make: Make): ErrorResponse {
  const message = `upstream ${error.message}`;
  switch (error.failure) {
    case "timeout":
      return make(504, "upstream_error", "upstream_timeout", message);
    case "aborted":
      return make(499, "invalid_request_error", "client_closed_request", message);
    case "http": {
      const status = error.status ?? 502;
      // The client's own mistakes the upstream caught (a bad parameter, an unknown model) keep their status;
      // the upstream refusing lmx's key is lmx's problem, not the client's.
      if (status === 400 || status === 404 || status === 422)
        return make(status, "invalid_request_error", "upstream_rejected", message);
      if (status === 429)
        return make(
          429,
          "rate_limit_error",
          "upstream_rate_limited",
          message,
          undefined,
          error.retryAfter !== undefined ? { "retry-after": String(Math.ceil(error.retryAfter)) } : {},
        );
      // A server error upstream is the operator's to look into: the log gets its body (in the causes).
      return make(502, "upstream_error", "upstream_error", message, undefined, {}, true);
    }
    case "connection":
      // The operator's endpoint could not be reached: the client hears what kind of failure; the log, where.
      return make(502, "upstream_error", "upstream_connection", message, undefined, {}, true);
    default:
      return make(502, "upstream_error", `upstream_${error.failure}`, message);
  }
}

/** Longest error message sent: messages quote the client's input (a 100 kB model string), which it has already. */
const MAX_MESSAGE = 2000;

function bounded(message: string): string {
  return message.length > MAX_MESSAGE
    ? `${message.slice(0, MAX_MESSAGE)}… (cut at ${MAX_MESSAGE} characters)`
    : message;
}

/** What the server log gets about a host problem: the stack, and any `detail` (an MCP server's stderr). */
export function errorDetail(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const detail = (error as { detail?: unknown }).detail;
  // The causes are where the host's own words are (a socket error naming the endpoint): the log keeps them.
  const causes = causeChain(error).map((e) => `caused by: ${e.message}`);
  return [error.stack ?? error.message, typeof detail === "string" ? detail : "", ...causes].filter(Boolean).join("\n");
}
