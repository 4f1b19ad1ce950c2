import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../core/context.ts";
import { lastUserText } from "../core/messages.ts";
import { scriptedLM } from "../providers/scripted/scripted-lm.ts";
import { selfRefine } from "../techniques/iterate/self-refine.ts";
import { adaptiveConsistency } from "../techniques/sample-many/adaptive-consistency.ts";
import { questionMetrics } from "./question-metrics.ts";
import { questionDetail } from "./question-detail.ts";

test("self-refine's drafts are samples and its feedback shows as critiques", async () => {
  const lm = scriptedLM((request) => {
    const prompt = lastUserText(request);
    if (prompt.startsWith("Review the answer"))
      return prompt.includes("The answer is 5") ? "The sum is wrong: 2+2 is 4.\nScore: 3/10" : "NO ISSUES";
    if (prompt.includes("improved answer")) return "2 and 2 make 4. The answer is 4";
    return "The answer is 5";
  });
  const ctx = createRunContext();
  await selfRefine(lm, { rounds: 2 }).complete({ messages: [{ role: "user", content: "What is 2+2?" }] }, ctx);
  const detail = questionDetail(ctx.span.toJSON());
  assert.deepEqual(
    detail.samples.map((s) => [s.stage, s.text]),
    [
      ["draft", "The answer is 5"],
      ["refine", "2 and 2 make 4. The answer is 4"],
    ],
  );
  assert.deepEqual(
    detail.critiques.map((c) => c.text),
    ["The sum is wrong: 2+2 is 4.\nScore: 3/10", "NO ISSUES"],
  );
  assert.deepEqual(detail.votes, []);
  assert.equal(questionMetrics(ctx.span.toJSON()).samples, 4, "critiques are samples of the model too");
});

test("adaptive-consistency's votes are labelled by batch and long texts are clipped", async () => {
  const long = `The answer is 7. ${"x".repeat(500)}`;
  const lm = scriptedLM(() => long);
  const ctx = createRunContext();
  await adaptiveConsistency(lm, { max: 6, min: 2 }).complete({ messages: [{ role: "user", content: "Pick 7" }] }, ctx);
  const detail = questionDetail(ctx.span.toJSON(), { maxText: 40 });
  assert.ok(detail.votes.length >= 2);
  assert.match(detail.votes[0]!.stage, /adaptive-consistency, batch 1/);
  assert.deepEqual(detail.votes.at(-1)!.groups, [{ answer: "7", count: detail.samples.length }]);
  assert.ok(detail.samples.every((s) => s.text.length === 40 && s.text.endsWith("…")));
});
