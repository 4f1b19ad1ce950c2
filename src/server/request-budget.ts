import type { BudgetLimits } from "../budget/budget.ts";

const KEYS = ["tokens", "calls", "cost_usd", "time_ms"] as const;

/** A request's budget: what it asked for (`lmx.budget`), each limit clamped to the server's cap. */
export function requestBudget(options: { requested?: BudgetLimits; caps?: BudgetLimits }): BudgetLimits {
  const out: BudgetLimits = {};
  for (const key of KEYS) {
    const asked = options.requested?.[key];
    const cap = options.caps?.[key];
    const limit = asked === undefined ? cap : cap === undefined ? asked : Math.min(asked, cap);
    if (limit !== undefined) out[key] = limit;
  }
  return out;
}
