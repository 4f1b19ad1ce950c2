import assert from "node:assert/strict";
import { test } from "node:test";
import { effortOfBudget, reasoningEffortOf } from "./thinking-effort.ts";

test("a thinking budget reads as the highest effort band it reaches", () => {
  for (const [budget, effort] of [
    [0, "low"],
    [1024, "low"],
    [4095, "low"],
    [4096, "medium"],
    [16383, "medium"],
    [16384, "high"],
    [31999, "high"],
    [32768, "xhigh"],
    [1e9, "xhigh"],
  ] as const)
    assert.equal(effortOfBudget(budget), effort, String(budget));
});

test("output_config.effort wins over thinking; disabled and adaptive thinking set none", () => {
  assert.equal(reasoningEffortOf({ thinking: { type: "enabled", budget_tokens: 2000 } }), "low");
  assert.equal(
    reasoningEffortOf({ thinking: { type: "enabled", budget_tokens: 2000 }, output_config: { effort: "high" } }),
    "high",
  );
  assert.equal(reasoningEffortOf({ output_config: { effort: "max" } }), "xhigh");
  assert.equal(reasoningEffortOf({ thinking: { type: "disabled" } }), undefined);
  assert.equal(reasoningEffortOf({ thinking: { type: "adaptive" } }), undefined);
  assert.equal(reasoningEffortOf({ output_config: { effort: null } }), undefined);
});
