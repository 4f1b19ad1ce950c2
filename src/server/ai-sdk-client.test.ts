import assert from "node:assert/strict";
import { test } from "node:test";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { generateText, streamText } from "ai";
import { startProxyFixture } from "./testing/proxy-fixture.ts";

test("the AI SDK's OpenAI-compatible provider works against lmx serve: generateText and streamText", async () => {
  const f = await startProxyFixture({ reply: () => "Hello from upstream" });
  try {
    const lmx = createOpenAICompatible({ baseURL: f.proxy.url, name: "lmx", includeUsage: true });
    const voted = await generateText({
      model: lmx.chatModel("majority-vote(n=3)@openai:test-model"),
      prompt: "hi",
      maxRetries: 0,
    });
    assert.equal(voted.text, "Hello from upstream");
    assert.equal(
      voted.usage.outputTokens,
      f.upstream.reported.reduce((s, u) => s + u.completion_tokens, 0),
    );
    assert.equal(voted.response.modelId, "majority-vote(n=3)@openai:test-model");

    const streamed = streamText({ model: lmx.chatModel("openai:test-model"), prompt: "hi", maxRetries: 0 });
    const pieces: string[] = [];
    for await (const piece of streamed.textStream) pieces.push(piece);
    assert.ok(pieces.length >= 3);
    assert.equal(pieces.join(""), "Hello from upstream");
    assert.equal((await streamed.usage).outputTokens, f.upstream.reported.at(-1)!.completion_tokens);

    // Progress chunks (empty choices, an lmx field) must not break the AI SDK's stream parser.
    const progressed = streamText({
      model: lmx.chatModel("majority-vote(n=2)@openai:test-model"),
      prompt: "hi",
      maxRetries: 0,
    });
    assert.equal(await progressed.text, "Hello from upstream");
    assert.equal(await progressed.finishReason, "stop");
  } finally {
    await f.close();
  }
});
