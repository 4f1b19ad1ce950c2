import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { contentText, lastUserText, resultText } from "../../core/messages.ts";
import type { ChatRequest } from "../../core/types.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import { collectStream } from "../stage/collect-stream.ts";
import { planAndSolve, planAndSolveTriggers } from "./plan-and-solve.ts";

const question = "A pen costs $2 and a book $5 more. What do both cost?";
const ask: ChatRequest = {
  messages: [
    { role: "system", content: "Show your work." },
    { role: "user", content: question },
  ],
  max_tokens: 400,
};
const reasoning = "Plan: find the book price, then add. Book = 2 + 5 = 7. Total = 9.";
const solver = () => scriptedLM((r) => (lastUserText(r).startsWith("Therefore") ? "The answer is 9." : reasoning));

test("PS appends the paper's trigger to the question in one call", async () => {
  const lm = solver();
  const r = await planAndSolve(lm).complete(ask);
  assert.equal(lm.calls.length, 1);
  assert.equal(
    lastUserText(lm.calls[0]!),
    `${question}\n\nLet's first understand the problem and devise a plan to solve the problem. Then, let's carry out the plan and solve the problem step by step.`,
  );
  assert.equal(lm.calls[0]!.messages[0]!.content, "Show your work.");
  assert.equal(lm.calls[0]!.max_tokens, 400);
  assert.equal(resultText(r), reasoning);
});

test("PS+ uses the detailed trigger; a custom trigger replaces it", async () => {
  const lm = solver();
  await planAndSolve(lm, { variant: "ps+" }).complete(ask);
  assert.ok(lastUserText(lm.calls[0]!).endsWith(planAndSolveTriggers["ps+"]));
  assert.match(lastUserText(lm.calls[0]!), /extract relevant variables and their corresponding numerals/);
  await planAndSolve(lm, { trigger: "Plan, then solve." }).complete(ask);
  assert.equal(lastUserText(lm.calls[1]!), `${question}\n\nPlan, then solve.`);
});

test("extract=true asks for the answer after the solution and appends it as the last line", async () => {
  const lm = solver();
  const r = await planAndSolve(lm, { extract: true }).complete(ask);
  assert.equal(lm.calls.length, 2);
  const extraction = lm.calls[1]!.messages;
  assert.equal(extraction.at(-2)!.role, "assistant");
  assert.equal(extraction.at(-2)!.content, reasoning);
  assert.match(contentText(extraction.at(-1)!.content), /The answer is X/);
  assert.equal(extraction[0]!.content, "Show your work.");
  assert.equal(resultText(r), `${reasoning}\n\nThe answer is 9.`);
  assert.equal(r.usage.calls, 2);
});

test("streams the solution and then the extracted answer, with usage of both calls", async () => {
  const lm = solver();
  const { text, result } = await collectStream(planAndSolve(lm, { extract: true }).stream(ask));
  assert.equal(text, `${reasoning}\n\nThe answer is 9.`);
  assert.equal(resultText(result), text);
  assert.equal(result.usage.calls, 2);
});

test("a budget stop before the extraction returns the solution with finish_reason budget", async () => {
  const lm = solver();
  const r = await planAndSolve(lm, { extract: true }).complete(ask, createRunContext({ budget: { calls: 1 } }));
  assert.equal(resultText(r), reasoning);
  assert.equal(r.choices[0]!.finish_reason, "budget");
  const streamed = await collectStream(
    planAndSolve(lm, { extract: true }).stream(ask, createRunContext({ budget: { calls: 1 } })),
  );
  assert.equal(resultText(streamed.result), reasoning);
  assert.equal(streamed.text, reasoning, "no separator is streamed for an extraction that never ran");
  assert.equal(streamed.result.choices[0]!.finish_reason, "budget");
});

test("extract=true with a JSON response format reasons in free text and answers with the extraction's JSON alone", async () => {
  const lm = scriptedLM((r) => (r.response_format ? JSON.stringify({ answer: 9 }) : reasoning));
  const json: ChatRequest = {
    ...ask,
    response_format: { type: "json_schema", json_schema: { name: "a", schema: { type: "object" } } },
  };
  for (const result of [
    await planAndSolve(lm, { extract: true }).complete(json),
    (await collectStream(planAndSolve(lm, { extract: true }).stream(json))).result,
  ]) {
    assert.deepEqual(JSON.parse(resultText(result)), { answer: 9 });
  }
  const streamed = await collectStream(planAndSolve(lm, { extract: true }).stream(json));
  assert.deepEqual(JSON.parse(streamed.text), { answer: 9 }, "only the JSON is streamed");
  // Each run: the solution without the format, then the extraction with it.
  assert.deepEqual(
    lm.calls.map((c) => c.response_format?.type ?? null),
    [null, "json_schema", null, "json_schema", null, "json_schema"],
  );
});

test("unknown variants are rejected", () => {
  assert.throws(() => planAndSolve(solver(), { variant: "ps++" as never }));
  assert.equal(planAndSolve(solver(), { variant: "ps+" }).id, "plan-and-solve(variant=ps+)@scripted:test");
});
