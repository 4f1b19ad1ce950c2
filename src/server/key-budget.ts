import { z } from "zod";
import type { BudgetLimits } from "../budget/budget.ts";
import { BudgetExceededError } from "../core/errors/budget-error.ts";
import type { KeyLedger, LedgerHold } from "../shared-state/key-ledger.ts";
import { LEDGER_DIMENSIONS, type LedgerAmounts, type LedgerDimension } from "../shared-state/ledger-amounts.ts";
import type { Caller } from "./access.ts";
import { HttpError } from "./http-error.ts";

const amounts = {
  cost_usd: z.number().min(0).optional(),
  tokens: z.number().min(0).optional(),
  calls: z.number().min(0).optional(),
};

/** `server.keyBudget`: what each client key may spend per period (operator keys are not limited). */
export const keyBudgetSchema = z.strictObject({
  ...amounts,
  period: z.enum(["day", "month", "total"]).default("month"),
  /**
   * Most of a key's budget one request holds while it runs (default a tenth of each limit): requests of
   * one key run side by side, and the hold is given back, less what was spent, when the request ends.
   */
  perRequest: z.strictObject(amounts).optional(),
});
export type KeyBudget = z.output<typeof keyBudgetSchema>;

/** A request's share of its key's budget: the limits it runs under, and how to settle what it spent. */
export interface KeyAllowance {
  limits: BudgetLimits;
  settle(spent: LedgerAmounts): Promise<void>;
  /** A run that could not start because its key had too little left is the key's refusal, not the request's. */
  explain(error: unknown): unknown;
}

/**
 * Reserves a request's share of its key's budget before it runs (on every instance sharing the
 * ledger), so requests of one key on any number of proxies cannot overspend it together. A key with
 * nothing left is answered 429 `insufficient_quota`, as OpenAI answers a spent quota.
 */
export function keyAllowance(deps: { ledger: KeyLedger; budget?: KeyBudget; ttlMs: number }) {
  return async (caller: Caller, limits: BudgetLimits): Promise<KeyAllowance> => {
    const budget = deps.budget;
    const limited = LEDGER_DIMENSIONS.filter((d) => budget?.[d] !== undefined);
    if (!budget || !caller.tenant || caller.operator || limited.length === 0)
      return { limits, settle: async () => {}, explain: (e) => e };
    const want = { cost_usd: 0, tokens: 0, calls: 0 };
    for (const dim of limited) want[dim] = Math.min(limits[dim] ?? Infinity, perRequest(budget, dim));
    const reserved = await deps.ledger.reserve({
      key: caller.tenant,
      period: budget.period,
      limits: Object.fromEntries(limited.map((d) => [d, budget[d]])),
      want,
      ttlMs: deps.ttlMs,
    });
    if (!reserved.ok) throw quotaSpent(reserved.exhausted, budget);
    const hold: LedgerHold = reserved.hold;
    const short = limited.filter((d) => hold.granted[d]! < want[d]);
    return {
      limits: { ...limits, ...hold.granted },
      settle: (spent) => deps.ledger.settle(hold, spent),
      explain: (error) =>
        BudgetExceededError.isInstance(error) && short.includes(error.limit as LedgerDimension)
          ? quotaSpent(error.limit as LedgerDimension, budget)
          : error,
    };
  };
}

function quotaSpent(dim: LedgerDimension, budget: KeyBudget): HttpError {
  return new HttpError({
    status: 429,
    type: "insufficient_quota",
    code: "insufficient_quota",
    message: `this key's ${dim} budget for the ${budget.period === "total" ? "service" : budget.period} is spent`,
    param: "lmx.budget",
  });
}

function perRequest(budget: KeyBudget, dim: LedgerDimension): number {
  return budget.perRequest?.[dim] ?? budget[dim]! / 10;
}
