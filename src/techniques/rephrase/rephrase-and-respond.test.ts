import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { BudgetExceededError } from "../../core/errors/budget-error.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { lastUserText, resultText } from "../../core/messages.ts";
import type { ChatRequest } from "../../core/types.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import { rephraseAndRespond } from "./rephrase-and-respond.ts";
import { collectStream } from "../stage/collect-stream.ts";

const question = "Was Abraham Lincoln born in an even day?";
const ask: ChatRequest = {
  messages: [
    { role: "system", content: "Answer yes or no." },
    { role: "user", content: question },
  ],
  response_format: { type: "json_object" },
};
const isRephrase = (r: ChatRequest) => lastUserText(r).includes("rephrase and expand it");
const rephrasing =
  "Rephrased question: Was the day of the month on which Lincoln was born (12 February 1809) an even number?";

test("one-step asks to rephrase, expand and respond in a single call", async () => {
  const lm = scriptedLM(() => "Yes: the 12th is even.");
  const r = await rephraseAndRespond(lm).complete(ask);
  assert.equal(lm.calls.length, 1);
  assert.equal(lastUserText(lm.calls[0]!), `${question}\nRephrase and expand the question, and respond.`);
  assert.equal(resultText(r), "Yes: the 12th is even.");
});

test("two-step passes the rephrased question, with the original, to the answer call", async () => {
  const lm = scriptedLM((r) => (isRephrase(r) ? rephrasing : "Yes."));
  const ctx = createRunContext();
  const r = await rephraseAndRespond(lm, { mode: "two-step" }).complete(ask, ctx);
  assert.equal(resultText(r), "Yes.");
  assert.equal(lm.calls.length, 2);
  assert.ok(isRephrase(lm.calls[0]!));
  const final = lastUserText(lm.calls[1]!);
  assert.ok(final.includes(`(original) ${question}`));
  assert.ok(
    final.includes("(rephrased) Was the day of the month on which Lincoln was born (12 February 1809) an even number?"),
    "the label is stripped",
  );
  assert.ok(lm.calls.every((c) => c.messages[0]!.content === "Answer yes or no."));
  assert.equal(lm.calls[0]!.response_format, undefined, "the rephrasing is not bound by the answer's format");
  assert.deepEqual(lm.calls[1]!.response_format, { type: "json_object" });
  assert.equal(r.usage.calls, 2);
  assert.ok(ctx.span.children[0]!.events.some((e) => e.name === "rephrased"));
});

test("a rephraser model rephrases; the inner model answers", async () => {
  const inner = scriptedLM(() => "Yes.");
  const rephraser = scriptedLM(() => rephrasing, { name: "big" });
  const r = await rephraseAndRespond(inner, { mode: "two-step", rephraser }).complete(ask);
  assert.equal(rephraser.calls.length, 1);
  assert.equal(inner.calls.length, 1);
  assert.match(lastUserText(inner.calls[0]!), /12 February 1809/);
  assert.equal(r.usage.calls, 2);
});

test("streams only the answer call, with usage of both calls", async () => {
  const lm = scriptedLM((r) => (isRephrase(r) ? rephrasing : "Yes, it was even."));
  const { text, deltas, result } = await collectStream(rephraseAndRespond(lm, { mode: "two-step" }).stream(ask));
  assert.equal(text, "Yes, it was even.");
  assert.ok(deltas.length > 1);
  assert.equal(result.usage.calls, 2);
  assert.equal(result.usage.completion_tokens, rephrasing.split(" ").length + 4);
});

test("a budget stop before the answer call is a typed error; no answer call is made", async () => {
  const lm = scriptedLM((r) => (isRephrase(r) ? rephrasing : "Yes."));
  await assert.rejects(
    rephraseAndRespond(lm, { mode: "two-step" }).complete(ask, createRunContext({ budget: { calls: 1 } })),
    (e) => BudgetExceededError.isInstance(e),
  );
  assert.equal(lm.calls.length, 1);
});

test("a rephraser with one-step mode is rejected", () => {
  const lm = scriptedLM(() => "x");
  assert.throws(
    () => rephraseAndRespond(lm, { rephraser: lm }),
    (e) => InvalidRequestError.isInstance(e) && e.param === "rephraser",
  );
  assert.throws(
    () => rephraseAndRespond(lm, { mode: "three-step" as never }),
    (e) => InvalidRequestError.isInstance(e) && e.param === "mode",
  );
});
