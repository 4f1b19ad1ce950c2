import assert from "node:assert/strict";
import { test } from "node:test";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { generateText } from "ai";
import { checkAiSdkStreaming } from "./testing/check-ai-sdk-streaming.ts";
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

    await checkAiSdkStreaming(f, (id) => lmx.chatModel(id), "openai:test-model");
  } finally {
    await f.close();
  }
});
