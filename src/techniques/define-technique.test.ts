import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../core/context.ts";
import { BudgetExceededError } from "../core/errors/budget-error.ts";
import { contentText } from "../core/messages.ts";
import { scriptedLM } from "../providers/scripted/scripted-lm.ts";
import { re2 } from "./rephrase/re2.ts";
import { selfConsistency } from "./sample-many/self-consistency.ts";

const ask = { messages: [{ role: "user" as const, content: "What is 6 times 7?" }] };

test("n > 1 under a budget keeps the answers already paid for, as a provider's n does", async () => {
  const lm = scriptedLM((_r, { sampleIndex }) => `The answer is ${sampleIndex}.`, { latencyMs: 2 });
  const r = await re2(lm).complete({ ...ask, n: 3 }, createRunContext({ budget: { calls: 2 } }));
  assert.equal(lm.calls.length, 2);
  assert.deepEqual(r.choices.map((c) => c.index), [0, 1]);
  assert.deepEqual(r.choices.map((c) => contentText(c.message.content)).sort(), ["The answer is 0.", "The answer is 1000."]);
  assert.equal(r.usage.calls, 2);
});

test("a technique sampling a technique LM votes over the samples the budget allowed", async () => {
  const lm = scriptedLM((_r, { sampleIndex }) => `The answer is ${sampleIndex === 1000 ? 7 : 42}.`, { latencyMs: 2 });
  const r = await selfConsistency(re2(lm), { n: 5 }).complete(ask, createRunContext({ budget: { calls: 3 } }));
  assert.equal(lm.calls.length, 3);
  assert.equal(contentText(r.choices[0]!.message.content), "The answer is 42.");
  assert.equal(r.choices[0]!.finish_reason, "budget");
  assert.equal(r.usage.calls, 3);
});

test("n > 1 still fails when no run answered, or when a run failed for another reason", async () => {
  const lm = scriptedLM(() => "x");
  await assert.rejects(re2(lm).complete({ ...ask, n: 2 }, createRunContext({ budget: { calls: 0 } })), (e) => BudgetExceededError.isInstance(e));
  const flaky = scriptedLM((_r, { sampleIndex }) => {
    if (sampleIndex === 1000) throw new Error("upstream broke");
    return "fine";
  });
  await assert.rejects(re2(flaky).complete({ ...ask, n: 2 }), /upstream broke/);
});
