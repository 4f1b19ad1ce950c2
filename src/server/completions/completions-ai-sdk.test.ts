import assert from "node:assert/strict";
import { test } from "node:test";
import { createOpenAI } from "@ai-sdk/openai";
import { generateText } from "ai";
import { checkAiSdkStreaming } from "../testing/check-ai-sdk-streaming.ts";
import { startProxyFixture } from "../testing/proxy-fixture.ts";

test("@ai-sdk/openai's completion model works against lmx serve: generateText and streamText, plain and technique", async () => {
  const f = await startProxyFixture({ reply: () => "Hello from upstream" });
  try {
    const openai = createOpenAI({ baseURL: f.proxy.url, apiKey: "no-key" });
    const plain = await generateText({
      model: openai.completion("gpt-4o-mini"),
      prompt: "hi",
      maxOutputTokens: 20,
      maxRetries: 0,
    });
    assert.equal(plain.text, "Hello from upstream");
    assert.equal(plain.finishReason, "stop");
    assert.equal(plain.usage.inputTokens, f.upstream.reported[0]!.prompt_tokens);
    assert.equal(plain.usage.outputTokens, f.upstream.reported[0]!.completion_tokens);
    assert.match(plain.response.id, /^cmpl-/);
    const sent = f.upstream.requests[0]!.body;
    assert.equal(sent.model, "gpt-4o-mini");
    // The AI SDK writes the conversation as one text prompt; it reaches the model as one user message.
    assert.equal(sent.messages.length, 1);
    assert.equal(sent.messages[0].role, "user");
    assert.match(sent.messages[0].content, /^user:\nhi\n\nassistant:\n$/);
    assert.deepEqual(sent.stop, ["\nuser:"]);
    assert.equal(sent.max_tokens, 20);

    const voted = await generateText({
      model: openai.completion("majority-vote(n=3)@openai:test-model"),
      prompt: "hi",
      maxRetries: 0,
    });
    assert.equal(voted.text, "Hello from upstream");
    assert.equal(voted.response.modelId, "majority-vote(n=3)@openai:test-model");
    assert.equal(f.upstream.requests.length, 4);
    const reported = f.upstream.reported.slice(1);
    assert.equal(
      voted.usage.outputTokens,
      reported.reduce((s, u) => s + u.completion_tokens, 0),
    );

    await checkAiSdkStreaming(f, (id) => openai.completion(id), "gpt-4o-mini");
  } finally {
    await f.close();
  }
});

test("@ai-sdk/openai: a budget stop reads as a length finish; a refused option is an error naming it", async () => {
  const f = await startProxyFixture({ reply: () => "The answer is 4." });
  try {
    // lmx's own field rides in the body through a custom fetch, as a client would add it.
    const budgeted = createOpenAI({
      baseURL: f.proxy.url,
      apiKey: "no-key",
      fetch: (url, init) =>
        fetch(url, {
          ...init,
          body: JSON.stringify({ ...JSON.parse(String(init!.body)), lmx: { budget: { calls: 2 } } }),
        }),
    });
    const r = await generateText({
      model: budgeted.completion("self-refine(rounds=3)@openai:test-model"),
      prompt: "2 + 2?",
      maxRetries: 0,
    });
    assert.equal(r.finishReason, "length");
    assert.equal(r.text, "The answer is 4.");

    const openai = createOpenAI({ baseURL: f.proxy.url, apiKey: "no-key" });
    await assert.rejects(
      generateText({
        model: openai.completion("gpt-4o-mini"),
        prompt: "hi",
        providerOptions: { openai: { logprobs: true } },
        maxRetries: 0,
      }),
      (e: Error) => /^logprobs: token log probabilities are not served/.test(e.message),
    );
    assert.equal(f.upstream.requests.length, 2, "the refused request made no call");
  } finally {
    await f.close();
  }
});
