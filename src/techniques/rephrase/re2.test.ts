import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { BudgetExceededError } from "../../core/errors/budget-error.ts";
import { lastUserText, resultText } from "../../core/messages.ts";
import type { ChatRequest } from "../../core/types.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import { re2 } from "./re2.ts";
import { collectStream } from "../stage/collect-stream.ts";

const question = "Roger has 5 balls and buys 2 cans of 3. How many balls does he have?";
const ask: ChatRequest = {
  messages: [
    { role: "system", content: "Think step by step." },
    { role: "user", content: "Hi" },
    { role: "assistant", content: "Hello" },
    { role: "user", content: question },
  ],
  temperature: 0,
  max_tokens: 200,
};
const count = (text: string, needle: string) => text.split(needle).length - 1;

test("the prompt holds the question twice, the second after the re-read cue", async () => {
  const lm = scriptedLM(() => "11");
  const r = await re2(lm).complete(ask);
  assert.equal(resultText(r), "11");
  const prompt = lastUserText(lm.calls[0]!);
  assert.equal(count(prompt, question), 2);
  assert.equal(prompt, `${question}\nRead the question again: ${question}`);
});

test("reads=3 reads it three times; history, system prompt and request fields are kept", async () => {
  const lm = scriptedLM(() => "11");
  await re2(lm, { reads: 3 }).complete(ask);
  const call = lm.calls[0]!;
  assert.equal(count(lastUserText(call), question), 3);
  assert.deepEqual(call.messages.slice(0, 3), ask.messages.slice(0, 3));
  assert.equal(call.max_tokens, 200);
  assert.equal(call.temperature, 0);
});

test("streams the answer's deltas and ends with its result", async () => {
  const lm = scriptedLM(() => "He has 11 balls.");
  const { deltas, result } = await collectStream(re2(lm).stream(ask));
  assert.ok(deltas.length > 1);
  assert.equal(deltas.join(""), "He has 11 balls.");
  assert.equal(resultText(result), "He has 11 balls.");
  assert.equal(result.usage.calls, 1);
  assert.equal(result.usage.completion_tokens, 4);
});

test("a budget that forbids the call raises a typed error and makes no call", async () => {
  const lm = scriptedLM(() => "11");
  await assert.rejects(re2(lm).complete(ask, createRunContext({ budget: { calls: 0 } })), (e) =>
    BudgetExceededError.isInstance(e),
  );
  assert.equal(lm.calls.length, 0);
});

test("reads outside 2-5 are rejected", () => {
  const lm = scriptedLM(() => "x");
  assert.throws(() => re2(lm, { reads: 1 }));
  assert.throws(() => re2(lm, { reads: 2.5 }));
  assert.equal(re2(lm, { reads: 3 }).id, "re2(reads=3)@scripted:test");
});
