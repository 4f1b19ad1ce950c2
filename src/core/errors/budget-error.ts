import { LmxError } from "./lmx-error.ts";

export type BudgetLimit = "tokens" | "calls" | "cost_usd" | "time_ms";

/** A call was not made because it would exceed the budget. */
export class BudgetExceededError extends LmxError {
  readonly limit: BudgetLimit;
  readonly max: number;
  readonly used: number;

  constructor(options: { limit: BudgetLimit; max: number; used: number }) {
    super("budget_exceeded", `budget exhausted: ${options.limit} used ${round(options.used)} of ${round(options.max)}`);
    this.name = "BudgetExceededError";
    this.limit = options.limit;
    this.max = options.max;
    this.used = options.used;
  }

  static isInstance(error: unknown): error is BudgetExceededError {
    return LmxError.isInstance(error) && error.code === "budget_exceeded";
  }
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
