import { LmxError } from "./lmx-error.ts";

export type BudgetLimit = "tokens" | "calls" | "cost_usd" | "time_ms";

/** A call was not made because it would exceed the budget. */
export class BudgetExceededError extends LmxError {
  readonly limit: BudgetLimit;
  readonly max: number;
  readonly used: number;

  /** What the refused call would have needed at least, when known. */
  readonly needed?: number;
  /** What calls still in flight held when this one was refused. */
  readonly held?: number;

  constructor(options: { limit: BudgetLimit; max: number; used: number; needed?: number; held?: number }) {
    const needs = options.needed === undefined ? "" : `; the next call needs ${round(options.needed)} more`;
    // Without what calls in flight hold, "used 0 of 3000; needs 1280" reads as a wrong refusal.
    const held = options.held ? ` (+${round(options.held)} held by calls in flight)` : "";
    super(
      "budget_exceeded",
      `budget exhausted: ${options.limit} used ${round(options.used)}${held} of ${round(options.max)}${needs}`,
    );
    this.name = "BudgetExceededError";
    this.limit = options.limit;
    this.max = options.max;
    this.used = options.used;
    this.needed = options.needed;
    this.held = options.held;
  }

  static isInstance(error: unknown): error is BudgetExceededError {
    return LmxError.isInstance(error) && error.code === "budget_exceeded";
  }
}

/** Six significant digits, so that a budget of 0.0000001 USD does not read as 0. */
function round(x: number): number {
  return Number(x.toPrecision(6));
}
