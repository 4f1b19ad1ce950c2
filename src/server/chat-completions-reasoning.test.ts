import assert from "node:assert/strict";
import { test } from "node:test";
import { startProxyFixture } from "./testing/proxy-fixture.ts";

const question = [{ role: "user" as const, content: "What is 2+2?" }];

/** Samples whose reasoning names a different number than their answer: the vote must read answers only. */
const samples = [
  { content: "The answer is 4.", reasoning_content: "2+2... The answer is 5.", reasoning_tokens: 12 },
  { content: "The answer is 4.", reasoning_content: "The answer is 5.", reasoning_tokens: 7 },
  { content: "The answer is 3.", reasoning_content: "The answer is 3.", reasoning_tokens: 6 },
];

test("self-consistency votes on answers, not reasoning; the client gets the winner's reasoning_content and reasoning tokens", async () => {
  const f = await startProxyFixture({ reply: (_r, i) => samples[i % 3]! });
  try {
    const body = await f.client.chat.completions.create({
      model: "self-consistency(n=3)@openai:test-model",
      messages: question,
      reasoning_effort: "high",
      max_completion_tokens: 400,
    });
    const sent = f.upstream.requests[0]!.body;
    assert.equal(sent.reasoning_effort, "high");
    assert.equal(sent.max_completion_tokens, 400);
    assert.equal(body.choices[0]!.message.content, "The answer is 4.");
    const message = body.choices[0]!.message as (typeof body.choices)[0]["message"] & { reasoning_content?: string };
    assert.equal(message.reasoning_content, samples[0]!.reasoning_content);
    assert.equal(body.usage!.completion_tokens_details!.reasoning_tokens, 12 + 7 + 6);
    const sum = f.upstream.reported.reduce((s, u) => s + u.completion_tokens, 0);
    assert.equal(body.usage!.completion_tokens, sum, "reasoning is part of completion tokens");
  } finally {
    await f.close();
  }
});

test("streamed: reasoning_content deltas before the answer's, read by the official SDK; usage has reasoning tokens", async () => {
  const f = await startProxyFixture({ reply: () => samples[0]! });
  try {
    const stream = await f.client.chat.completions.create({
      model: "openai:test-model",
      messages: question,
      stream: true,
      stream_options: { include_usage: true },
    });
    let reasoning = "";
    let content = "";
    let sawAnswerBeforeReasoningEnded = false;
    let usage: any;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined;
      if (delta?.reasoning_content) {
        if (content) sawAnswerBeforeReasoningEnded = true;
        reasoning += delta.reasoning_content;
      }
      content += delta?.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(reasoning, samples[0]!.reasoning_content);
    assert.equal(content, "The answer is 4.");
    assert.equal(sawAnswerBeforeReasoningEnded, false);
    assert.equal(usage.completion_tokens_details.reasoning_tokens, 12);
  } finally {
    await f.close();
  }
});

test("a local server's <think> blocks are split off before the vote, which reads the answers", async () => {
  const texts = [
    "<think>The answer is 5.</think>The answer is 4.",
    "<think>The answer is 5.</think>The answer is 4.",
    "<think>\nThe answer is 5.\n</think>\n\nThe answer is 3.",
  ];
  const f = await startProxyFixture({ reply: (_r, i) => texts[i % 3]! });
  try {
    const body = await f.client.chat.completions.create({
      model: "self-consistency(n=3)@openai:test-model",
      messages: question,
    });
    assert.equal(body.choices[0]!.message.content, "The answer is 4.");
    assert.equal((body.choices[0]!.message as { reasoning_content?: string }).reasoning_content, "The answer is 5.");
  } finally {
    await f.close();
  }
});

test("a technique that answers at once still streams the winner's reasoning_content", async () => {
  const f = await startProxyFixture({ reply: (_r, i) => samples[i % 3]! });
  try {
    const stream = await f.client.chat.completions.create({
      model: "self-consistency(n=3)@openai:test-model",
      messages: question,
      stream: true,
    });
    let reasoning = "";
    let content = "";
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined;
      reasoning += delta?.reasoning_content ?? "";
      content += delta?.content ?? "";
    }
    assert.equal(content, "The answer is 4.");
    assert.equal(reasoning, samples[0]!.reasoning_content);
  } finally {
    await f.close();
  }
});

test("reasoning_effort outside OpenAI's levels is a 400 naming the parameter", async () => {
  const f = await startProxyFixture();
  try {
    await assert.rejects(
      f.client.chat.completions.create({
        model: "openai:test-model",
        messages: question,
        reasoning_effort: "maximum" as "high",
      }),
      (e: any) => e.status === 400 && /reasoning_effort/.test(e.message),
    );
    assert.equal(f.upstream.requests.length, 0);
  } finally {
    await f.close();
  }
});

test("think's options are client values within bounds: past them is a 400 naming the option, and no call is made", async () => {
  const f = await startProxyFixture();
  try {
    for (const spec of ["think(max_waits=33)", "think(max_tokens=200000)", "think(min_tokens=9, max_tokens=5)"])
      await assert.rejects(
        f.client.chat.completions.create({ model: `${spec}@openai:test-model`, messages: question }),
        (e: any) => e.status === 400 && /max_waits|max_tokens|min_tokens/.test(e.message),
        spec,
      );
    assert.equal(f.upstream.requests.length, 0);
  } finally {
    await f.close();
  }
});
