import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import type { ChatRequest } from "../core/types.ts";

/** The checks every provider call makes before anything else: a clear error, never an upstream 400. */
export function validateRequest(request: ChatRequest): void {
  if (!request || typeof request !== "object") throw new InvalidRequestError("the request must be an object");
  if (!Array.isArray(request.messages) || request.messages.length === 0)
    throw new InvalidRequestError("messages must be a non-empty array", { param: "messages" });
  const n = request.n ?? 1;
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidRequestError(`n must be an integer >= 1, got ${String(request.n)}`, { param: "n" });
}
