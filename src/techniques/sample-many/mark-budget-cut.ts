import type { Choice } from "../../core/types.ts";
import type { TechniqueRun } from "../define-technique.ts";

/**
 * The accounting path returns fewer samples than asked only when the budget stopped the rest: an
 * answer chosen from such a partial set says so with finish_reason "budget".
 */
export function markBudgetCut(run: TechniqueRun, chosen: Choice, got: number, asked: number): Choice {
  if (got >= asked) return chosen;
  run.ctx.span.event("stopped", { reason: "budget", samples: got, asked });
  return { ...chosen, finish_reason: "budget" };
}
