import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { lastUserText, resultText } from "../../core/messages.ts";
import type { ChatRequest } from "../../core/types.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import { parseSelection } from "./universal-self-consistency-parse.ts";
import { universalSelfConsistency } from "./universal-self-consistency.ts";

const ask: ChatRequest = { messages: [{ role: "user", content: "Summarise the plot of Hamlet in one line." }] };
const isSelect = (r: ChatRequest) => lastUserText(r).includes("Select the most consistent response");

test("returns the full response the selector names, after one sampling call and one selection call", async () => {
  const lm = scriptedLM((r, { sampleIndex }) =>
    isSelect(r)
      ? "The most consistent response is Response 4, since it agrees with 1 and 2."
      : `draft ${sampleIndex}: a prince avenges his father`,
  );
  const ctx = createRunContext();
  const r = await universalSelfConsistency(lm).complete(ask, ctx);
  assert.equal(resultText(r), "draft 3: a prince avenges his father");
  assert.equal(lm.calls.length, 2);
  assert.equal(lm.calls[0]!.n, 5, "the five responses come from one request");
  const prompt = lastUserText(lm.calls[1]!);
  assert.ok(prompt.includes("Summarise the plot of Hamlet"), "the question is in the selection prompt");
  for (let i = 0; i < 5; i++)
    assert.ok(prompt.includes(`Response ${i + 1}:\ndraft ${i}:`), `response ${i + 1} is numbered in the prompt`);
  const select = ctx.span.children[0]!.events.find((e) => e.name === "select")!;
  assert.deepEqual([select.data.index, select.data.parsed], [3, true]);
  assert.equal(r.usage.calls, 2);
});

test("garbage or an out-of-range choice falls back to the first response", async () => {
  for (const reply of ["I like them all.", "The most consistent response is Response 9"]) {
    const lm = scriptedLM((r, { sampleIndex }) => (isSelect(r) ? reply : `resp-${sampleIndex}`));
    const ctx = createRunContext();
    const r = await universalSelfConsistency(lm, { n: 3 }).complete(ask, ctx);
    assert.equal(resultText(r), "resp-0", reply);
    assert.equal(ctx.span.children[0]!.events.find((e) => e.name === "select")!.data.parsed, false);
  }
});

test("the selection call keeps the conversation and drops answer-only fields", async () => {
  const request: ChatRequest = {
    messages: [
      { role: "system", content: "You are a critic." },
      { role: "user", content: "Rate Hamlet." },
    ],
    temperature: 0.8,
    response_format: { type: "json_object" },
  };
  const lm = scriptedLM((r, { sampleIndex }) => (isSelect(r) ? "Response 2" : `{"rating": ${sampleIndex}}`));
  const r = await universalSelfConsistency(lm, { n: 3 }).complete(request);
  assert.equal(resultText(r), '{"rating": 1}');
  assert.equal(lm.calls[0]!.temperature, 0.8);
  assert.deepEqual(lm.calls[0]!.response_format, { type: "json_object" });
  assert.equal(lm.calls[1]!.messages[0]!.content, "You are a critic.");
  assert.equal(lm.calls[1]!.response_format, undefined);
  assert.equal(lm.calls[1]!.n ?? 1, 1, "one selection");
});

test("a budget stop before the selection returns the first response with finish_reason budget", async () => {
  const lm = scriptedLM((r, { sampleIndex }) => (isSelect(r) ? "Response 3" : `resp-${sampleIndex}`));
  const r = await universalSelfConsistency(lm).complete(ask, createRunContext({ budget: { calls: 1 } }));
  assert.equal(resultText(r), "resp-0");
  assert.equal(r.choices[0]!.finish_reason, "budget");
  assert.equal(lm.calls.length, 1);
});

test("options are validated, including the prompt's placeholders", () => {
  const lm = scriptedLM(() => "x");
  assert.throws(
    () => universalSelfConsistency(lm, { n: 1 }),
    (e) => InvalidRequestError.isInstance(e) && e.param === "n",
  );
  assert.throws(
    () => universalSelfConsistency(lm, { prompt: "Pick one of {answers}" }),
    (e) => InvalidRequestError.isInstance(e),
  );
  assert.equal(universalSelfConsistency(lm, { n: 7 }).id, "universal-self-consistency(n=7)@scripted:test");
});

test("parseSelection reads the asked-for format and common variants", () => {
  assert.equal(parseSelection("The most consistent response is Response 3", 5), 2);
  assert.equal(parseSelection("The most consistent response is **Response #2**.", 5), 1);
  assert.equal(parseSelection("Responses 1 and 2 differ; response 4 matches the majority.", 5), 3);
  assert.equal(parseSelection("3", 5), 2);
  assert.equal(parseSelection("The most consistent response is Response 10", 12), 9);
  assert.equal(parseSelection("Response 0 is best", 5), undefined);
  assert.equal(parseSelection("none of them", 5), undefined);
});
