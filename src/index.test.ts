import assert from "node:assert/strict";
import { test } from "node:test";
import {
  createRunContext,
  formatTechniqueSpec,
  parseLMSpec,
  defaultRegistry,
  resultText,
  selfConsistency,
  selfRefine,
  re2,
} from "./index.ts";
import { scriptedLM } from "./testing/index.ts";

test("techniques stack: a vote over refined answers is an LM, and prints as its spec", async () => {
  const base = scriptedLM((request, { sampleIndex }) => {
    const prompt = String(request.messages.at(-1)!.content);
    if (/feedback|critique|issues/i.test(prompt) && !/refine|improve|revise/i.test(prompt))
      return "NO ISSUES. Score: 10/10";
    return sampleIndex % 4 === 3 ? "The answer is 7." : "The answer is 6.";
  });
  const lm = selfConsistency(selfRefine(re2(base), { rounds: 1 }), { n: 4 });
  assert.equal(formatTechniqueSpec(lm), "self-consistency(n=4) > self-refine(rounds=1) > re2@scripted:test");
  const ctx = createRunContext();
  const result = await lm.complete({ messages: [{ role: "user", content: "What is 2*3?" }] }, ctx);
  assert.equal(resultText(result), "The answer is 6.");
  assert.equal(result.usage.calls, base.calls.length);
  assert.equal(ctx.span.total.calls, base.calls.length);

  const rebuilt = parseLMSpec(formatTechniqueSpec(lm), { registry: defaultRegistry(), resolveModel: () => base });
  assert.equal(rebuilt.id, lm.id);
});
