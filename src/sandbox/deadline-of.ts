import type { RunContext } from "../core/types.ts";

/** The `Date.now()` time a run's time budget (here or in a parent) ends, for a sandbox's `deadline`; undefined without one. */
export function deadlineOf(ctx: Pick<RunContext, "budget">): number | undefined {
  const left = ctx.budget.remainingMs();
  return left === undefined ? undefined : Date.now() + Math.max(0, left);
}
