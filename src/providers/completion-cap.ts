import type { ChatRequest } from "../core/types.ts";

/**
 * The most completion tokens a request allows: the smaller of `max_tokens` and `max_completion_tokens`.
 * Drivers must use this, not one of the two: the accounting path writes the budget's cap into
 * `max_tokens`, whatever the caller put in `max_completion_tokens`.
 */
export function completionCap(request: ChatRequest): number | undefined {
  const caps = [request.max_tokens, request.max_completion_tokens].filter((x): x is number => typeof x === "number");
  return caps.length ? Math.min(...caps) : undefined;
}
