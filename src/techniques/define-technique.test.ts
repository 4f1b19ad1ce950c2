import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../core/context.ts";
import { BudgetExceededError } from "../core/errors/budget-error.ts";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import { contentText, lastUserText } from "../core/messages.ts";
import type { ChatResult } from "../core/types.ts";
import { openaiLM } from "../providers/openai/openai-lm.ts";
import { scriptedLM } from "../providers/scripted/scripted-lm.ts";
import { startOpenAITestServer } from "../testing/openai-test-server.ts";
import { scopedServer } from "../testing/scoped-server.ts";
import { cascade } from "./cascade/cascade.ts";
import { leastToMost } from "./decompose/least-to-most.ts";
import { re2 } from "./rephrase/re2.ts";
import { collectStream } from "./stage/collect-stream.ts";
import { selfConsistency } from "./sample-many/self-consistency.ts";

const ask = { messages: [{ role: "user" as const, content: "What is 6 times 7?" }] };

test("n > 1 under a budget keeps the answers already paid for, as a provider's n does", async () => {
  const lm = scriptedLM((_r, { sampleIndex }) => `The answer is ${sampleIndex}.`, { latencyMs: 2 });
  const r = await re2(lm).complete({ ...ask, n: 3 }, createRunContext({ budget: { calls: 2 } }));
  assert.equal(lm.calls.length, 2);
  assert.deepEqual(
    r.choices.map((c) => c.index),
    [0, 1],
  );
  assert.deepEqual(r.choices.map((c) => contentText(c.message.content)).sort(), [
    "The answer is 0.",
    "The answer is 1000.",
  ]);
  assert.equal(r.usage.calls, 2);
});

test("n > 1 under a budget counts the calls of the runs it stopped too", async () => {
  // Each least-to-most run: decompose, one subquestion, answer. Five calls: the second run's answer is refused.
  const lm = scriptedLM((r) => (lastUserText(r).startsWith("Break the question") ? "1. What is 6 * 7?" : "42"), {
    latencyMs: 2,
  });
  const r = await leastToMost(lm).complete({ ...ask, n: 2 }, createRunContext({ budget: { calls: 5 } }));
  assert.equal(r.choices.length, 1);
  assert.equal(lm.calls.length, 5);
  assert.equal(r.usage.calls, 5, "usage = every call made");
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
  await assert.rejects(re2(lm).complete({ ...ask, n: 2 }, createRunContext({ budget: { calls: 0 } })), (e) =>
    BudgetExceededError.isInstance(e),
  );
  const flaky = scriptedLM((_r, { sampleIndex }) => {
    if (sampleIndex === 1000) throw new Error("upstream broke");
    return "fine";
  });
  await assert.rejects(re2(flaky).complete({ ...ask, n: 2 }), /upstream broke/);
});

const withServer = scopedServer(startOpenAITestServer);

test("a stream stopped after some deltas ends with a result holding exactly the text streamed", async () => {
  await withServer(
    { reply: () => "Seventeen times three is fifty one, so the answer is 51.", behaviour: { chunkDelayMs: 20 } },
    async (server) => {
      // The cheap rung's answer is kept, then the escalated answer streams from a real HTTP server.
      const cheap = scriptedLM((r) =>
        JSON.stringify(r.messages).includes("AI-generated answer") ? "Verdict: Incorrect" : "The answer is 41.",
      );
      const big = openaiLM({ model: "test-model", baseURL: server.url });
      const controller = new AbortController();
      let streamed = "";
      let result: ChatResult | undefined;
      for await (const event of cascade(cheap, { models: [big] }).stream(
        ask,
        createRunContext({ signal: controller.signal }),
      )) {
        if (event.type === "delta") streamed += event.content ?? "";
        if (streamed.length > 10) controller.abort();
        if (event.type === "result") result = event.result;
      }
      assert.ok(streamed.startsWith("Seventeen") && streamed.length < 40, streamed);
      assert.equal(result!.choices[0]!.finish_reason, "aborted");
      assert.equal(
        contentText(result!.choices[0]!.message.content),
        streamed,
        "the result says what the caller received",
      );
    },
  );
});

test("a bad n or no messages is an InvalidRequestError, as a provider gives, not an empty answer", async () => {
  const lm = re2(scriptedLM(() => "x"));
  for (const n of [0, -1, 1.5]) {
    await assert.rejects(
      lm.complete({ ...ask, n }),
      (e) => InvalidRequestError.isInstance(e) && e.param === "n",
      `n=${n}`,
    );
    await assert.rejects(
      collectStream(lm.stream({ ...ask, n })),
      (e) => InvalidRequestError.isInstance(e) && e.param === "n",
      `stream n=${n}`,
    );
  }
  await assert.rejects(
    lm.complete({ messages: [] }),
    (e) => InvalidRequestError.isInstance(e) && e.param === "messages",
  );
});

test("a consumer that stops reading a technique's stream early leaves its span closed", async () => {
  const inner = scriptedLM(() => "one two three four five six");
  const ctx = createRunContext();
  for await (const event of re2(inner).stream({ messages: [{ role: "user", content: "Count." }] }, ctx)) {
    if (event.type === "delta") break;
  }
  const span = ctx.span.children[0]!;
  assert.equal(span.kind, "technique");
  assert.notEqual(span.end, undefined);
  assert.ok(span.events.some((e) => e.name === "stopped"));
});
