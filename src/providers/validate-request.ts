import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import type { ChatRequest, ReasoningEffort } from "../core/types.ts";

const EFFORTS = new Set<ReasoningEffort>(["none", "minimal", "low", "medium", "high", "xhigh"]);

/** The checks every provider call makes before anything else: a clear error, never an upstream 400. */
export function validateRequest(request: ChatRequest): void {
  if (!request || typeof request !== "object") throw new InvalidRequestError("the request must be an object");
  if (!Array.isArray(request.messages) || request.messages.length === 0)
    throw new InvalidRequestError("messages must be a non-empty array", { param: "messages" });
  if (request.reasoning_effort !== undefined && !EFFORTS.has(request.reasoning_effort))
    throw new InvalidRequestError(
      `reasoning_effort must be one of ${[...EFFORTS].join(", ")}, got ${JSON.stringify(request.reasoning_effort)}`,
      { param: "reasoning_effort" },
    );
  const n = request.n ?? 1;
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidRequestError(`n must be an integer >= 1, got ${String(request.n)}`, { param: "n" });
}
