import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { BudgetExceededError } from "../../core/errors/budget-error.ts";
import { lastUserText, resultText } from "../../core/messages.ts";
import type { ChatRequest } from "../../core/types.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import { collectStream } from "../stage/collect-stream.ts";
import { leastToMost } from "./least-to-most.ts";

const question =
  "Amy climbs a slide in 4 minutes and slides down in 1. The slide closes in 15 minutes. How many times can she slide?";
const ask: ChatRequest = {
  messages: [
    { role: "system", content: "Be exact." },
    { role: "user", content: question },
  ],
  temperature: 0.1,
};
const stage = (r: ChatRequest) => {
  const p = lastUserText(r);
  if (p.startsWith("Break the question below")) return "decompose";
  if (p.includes("Answer this subquestion concisely:")) return "solve";
  return "answer";
};

/** Subquestion k is answered `answer-k` (read from the prompt, so order mistakes show). */
function solver(decomposition = "Subquestions:\n1. How long is one trip?\n2. How many trips fit in 15 minutes?") {
  return scriptedLM((r) => {
    const s = stage(r);
    if (s === "decompose") return decomposition;
    if (s === "solve") return `answer to "${/Answer this subquestion concisely: (.*)$/.exec(lastUserText(r))![1]}"`;
    return "She can slide 3 times.";
  });
}

test("solves the subquestions in order, each with the earlier answers, then answers from all of them", async () => {
  const lm = solver();
  const ctx = createRunContext();
  const r = await leastToMost(lm).complete(ask, ctx);
  assert.equal(resultText(r), "She can slide 3 times.");
  assert.deepEqual(lm.calls.map(stage), ["decompose", "solve", "solve", "answer"]);
  const first = lastUserText(lm.calls[1]!);
  const second = lastUserText(lm.calls[2]!);
  assert.match(first, /Answer this subquestion concisely: How long is one trip\?$/);
  assert.doesNotMatch(first, /Solved so far/);
  assert.match(second, /Q1: How long is one trip\?\nA1: answer to "How long is one trip\?"/);
  assert.match(second, /Answer this subquestion concisely: How many trips fit in 15 minutes\?$/);
  const final = lastUserText(lm.calls[3]!);
  assert.ok(final.startsWith(question));
  assert.match(
    final,
    /A1: answer to "How long is one trip\?"\nQ2: How many trips fit in 15 minutes\?\nA2: answer to "How many trips/,
  );
  assert.ok(lm.calls.every((c) => c.messages[0]!.content === "Be exact." && c.temperature === 0.1));
  assert.deepEqual(ctx.span.children[0]!.events.find((e) => e.name === "decomposition")!.data.subquestions, [
    "How long is one trip?",
    "How many trips fit in 15 minutes?",
  ]);
  assert.equal(r.usage.calls, 4);
});

test("solves at most max_subproblems subquestions", async () => {
  const lm = solver("1. a?\n2. b?\n3. c?\n4. d?");
  await leastToMost(lm, { max_subproblems: 2 }).complete(ask);
  assert.deepEqual(lm.calls.map(stage), ["decompose", "solve", "solve", "answer"]);
  assert.doesNotMatch(lastUserText(lm.calls[3]!), /c\?/);
});

test("a decomposition without subquestions answers the original request directly", async () => {
  const lm = solver("This question is already simple.");
  const r = await leastToMost(lm).complete(ask);
  assert.equal(lm.calls.length, 2);
  assert.deepEqual(lm.calls[1]!.messages, ask.messages);
  assert.equal(resultText(r), "She can slide 3 times.");
});

test("streams the final answer with usage of every call", async () => {
  const lm = solver();
  const { text, deltas, result } = await collectStream(leastToMost(lm).stream(ask));
  assert.equal(text, "She can slide 3 times.");
  assert.ok(deltas.length > 1);
  assert.equal(result.usage.calls, 4);
  const outputs = [
    "Subquestions:\n1. How long is one trip?\n2. How many trips fit in 15 minutes?",
    'answer to "How long is one trip?"',
    'answer to "How many trips fit in 15 minutes?"',
    "She can slide 3 times.",
  ];
  const words = outputs.reduce((n, t) => n + t.split(/\s+/).filter(Boolean).length, 0);
  assert.equal(result.usage.completion_tokens, words, "completion tokens of all four calls");
});

test("a budget stop mid-way is a typed error and no further calls are made", async () => {
  const lm = solver();
  await assert.rejects(leastToMost(lm).complete(ask, createRunContext({ budget: { calls: 2 } })), (e) =>
    BudgetExceededError.isInstance(e),
  );
  assert.equal(lm.calls.length, 2);
});
