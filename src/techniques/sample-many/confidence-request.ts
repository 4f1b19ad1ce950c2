import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import type { ChatRequest } from "../../core/types.ts";
import { CONFIDENCE_TOP_LOGPROBS } from "../answers/index.ts";
import type { TechniqueRun } from "../define-technique.ts";

/** The request fields that make samples carry token logprobs; a clear error when the model cannot. */
export function confidenceRequest(run: TechniqueRun, technique: string): Partial<ChatRequest> {
  if (!run.inner.capabilities.logprobs)
    throw new InvalidRequestError(
      `${technique}: weight=confidence and keep=top:F need token logprobs, which ${run.inner.id} does not provide`,
      { param: "weight" },
    );
  return { logprobs: true, top_logprobs: CONFIDENCE_TOP_LOGPROBS };
}
