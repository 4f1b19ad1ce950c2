import assert from "node:assert/strict";
import { test } from "node:test";
import { BudgetExceededError } from "../core/errors/budget-error.ts";
import { Budget } from "./budget.ts";

test("a call refused because calls in flight hold the room says what they hold", () => {
  const budget = new Budget({ tokens: 3000 });
  const releases = [budget.reserve({ prompt_tokens: 1280 }), budget.reserve({ prompt_tokens: 1280 })];
  assert.throws(
    () => budget.reserve({ prompt_tokens: 1280 }),
    (e: unknown) =>
      BudgetExceededError.isInstance(e) &&
      e.held === 2560 &&
      e.message ===
        "budget exhausted: tokens used 0 (+2560 held by calls in flight) of 3000; the next call needs 1280 more",
  );
  for (const release of releases) release();
  budget.charge({ prompt_tokens: 2900, total_tokens: 2900, calls: 1 });
  assert.throws(
    () => budget.reserve({ prompt_tokens: 200 }),
    (e: unknown) =>
      BudgetExceededError.isInstance(e) &&
      e.message === "budget exhausted: tokens used 2900 of 3000; the next call needs 200 more",
  );
});
