import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import type { RunSummary } from "../eval/summarize-run.ts";

/** The compute a configuration may spend, on average per question. */
export interface TuneBudget {
  tokens_per_question?: number;
  cost_per_question?: number;
  calls_per_question?: number;
}

/** What a candidate spent, on average per question. */
export interface Compute {
  tokens: number;
  cost_usd: number;
  calls: number;
  /** Choices the model produced (a call with n=10 is ten). */
  samples: number;
}

/** Per-question means of a run's totals. */
export function computeOf(run: RunSummary): Compute {
  const per = (x: number) => (run.total ? x / run.total : 0);
  return {
    tokens: Math.round(per(run.prompt_tokens + run.completion_tokens) * 10) / 10,
    cost_usd: Math.round(per(run.cost_usd) * 1e9) / 1e9,
    calls: Math.round(per(run.calls) * 1000) / 1000,
    samples: run.mean_samples,
  };
}

/** Throws for limits that are not numbers >= 0. */
export function checkBudget(budget: TuneBudget): void {
  for (const [key, value] of Object.entries(budget))
    if (value !== undefined && !(typeof value === "number" && value >= 0))
      throw new InvalidRequestError(`budget ${key} must be a number >= 0, got ${String(value)}`, { param: key });
}

/**
 * Which limit `compute` breaks, if any, in words ("167 tokens/question > 130"). `slack` > 1 lets a
 * candidate measured on few questions stay while it is within that factor of the limit.
 */
export function budgetExcess(compute: Compute, budget: TuneBudget, slack = 1): string | undefined {
  const checks: [number | undefined, number, string][] = [
    [budget.tokens_per_question, compute.tokens, "tokens/question"],
    [budget.cost_per_question, compute.cost_usd, "$/question"],
    [budget.calls_per_question, compute.calls, "calls/question"],
  ];
  for (const [limit, used, unit] of checks)
    if (limit !== undefined && used > limit * slack) return `${used} ${unit} > ${limit}`;
  return undefined;
}

/** The compute figure ties are broken on: the budget's own unit (dollars, tokens, calls), else tokens. */
export function rankedCompute(compute: Compute, budget: TuneBudget): number {
  if (budget.cost_per_question !== undefined) return compute.cost_usd;
  if (budget.tokens_per_question === undefined && budget.calls_per_question !== undefined) return compute.calls;
  return compute.tokens;
}
