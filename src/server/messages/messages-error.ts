import type { ErrorResponse } from "../error-response.ts";

/** Anthropic's error type for each status lmx answers with; other 4xx are invalid requests, other 5xx api errors. */
const TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  408: "timeout_error",
  413: "request_too_large",
  429: "rate_limit_error",
  504: "timeout_error",
  529: "overloaded_error",
};

/**
 * An error answer (statuses and messages as for every route, from errorResponse) in Anthropic's
 * shape: `{type: "error", error: {type, message, details}}`. lmx's own code and the field at fault
 * ride in `details` (`error_code`, which the SDK shows as `errorCode`, and `param`).
 */
export function anthropicErrorBody(r: ErrorResponse) {
  const { message, code, param } = r.body.error;
  const type = TYPES[r.status] ?? (r.status >= 500 ? "api_error" : "invalid_request_error");
  const details = code || param ? { ...(code ? { error_code: code } : {}), ...(param ? { param } : {}) } : undefined;
  return { type: "error" as const, error: { type, message, ...(details ? { details } : {}) }, request_id: null };
}

/** Whether a path is the Messages API's, whose errors answer in Anthropic's shape. */
export function isMessagesPath(path: string): boolean {
  return path === "/v1/messages" || path.startsWith("/v1/messages/");
}
