import type { Choice } from "../../core/types.ts";
import type { TechniqueRun } from "../define-technique.ts";
import { degrades } from "./sample-stage.ts";

/**
 * A later round of an iterating technique (critique, refine, reflect...) that may fail without
 * failing the run: an upstream that kept failing after its retries gives `undefined` and a
 * `partial` event on the technique span, so the technique returns its best answer so far (mark
 * it with `markRoundFailed`). Other errors (budget, abort, bad request) propagate as ever.
 */
export async function tryRound<T>(run: TechniqueRun, stage: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    if (!degrades(error)) throw error;
    run.ctx.span.event("partial", {
      reason: "round failed",
      stage,
      error: error instanceof Error ? error.message : String(error),
    });
    return undefined;
  }
}

/** The answer of a run a failed round cut short: finish_reason "partial". */
export function markRoundFailed(choice: Choice): Choice {
  return { ...choice, finish_reason: "partial" };
}
