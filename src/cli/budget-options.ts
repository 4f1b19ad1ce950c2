import type { Command } from "commander";
import type { BudgetLimits } from "../budget/budget.ts";
import { parseIntArg, parseNumberArg } from "./parse-number.ts";

/** Adds --budget-* flags to a command. */
export function addBudgetOptions(command: Command): Command {
  return command
    .option("--budget-tokens <n>", "stop before spending more tokens than this", parseIntArg)
    .option("--budget-calls <n>", "stop before making more model calls than this", parseIntArg)
    .option("--budget-usd <dollars>", "stop before spending more dollars than this", parseNumberArg)
    .option("--budget-time <ms>", "stop starting new calls after this many milliseconds", parseIntArg);
}

export function budgetFromOptions(
  options: { budgetTokens?: number; budgetCalls?: number; budgetUsd?: number; budgetTime?: number },
  fallback: BudgetLimits = {},
): BudgetLimits {
  return {
    tokens: options.budgetTokens ?? fallback.tokens,
    calls: options.budgetCalls ?? fallback.calls,
    cost_usd: options.budgetUsd ?? fallback.cost_usd,
    time_ms: options.budgetTime ?? fallback.time_ms,
  };
}
