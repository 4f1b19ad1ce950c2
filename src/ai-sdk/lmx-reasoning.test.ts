import assert from "node:assert/strict";
import { test } from "node:test";
import { generateText, streamText } from "ai";
import { configSchema } from "../config/config-schema.ts";
import type { LoadedConfig } from "../config/load-config.ts";
import { createModelResolver } from "../providers/resolve-model.ts";
import { allTechniques } from "../techniques/all.ts";
import { createRegistry } from "../techniques/registry.ts";
import { startOpenAITestServer } from "../testing/openai-test-server.ts";
import { createLmx } from "./lmx-provider.ts";

test("AI SDK: reasoning streams as reasoning parts apart from the text; usage has reasoning tokens", async () => {
  const upstream = await startOpenAITestServer({
    reply: () => ({ content: "42", reasoning_content: "six sevens make 42", reasoning_tokens: 9 }),
  });
  const config: LoadedConfig = {
    ...configSchema.parse({ providers: { openai: { baseURL: upstream.url, apiKey: "sk-test", retries: 0 } } }),
    env: {},
  };
  try {
    const lmx = createLmx({
      config,
      resolveModel: createModelResolver({ config }),
      registry: createRegistry(allTechniques),
      defaultModel: "openai:test-model",
    });
    const streamed = streamText({ model: lmx("openai:test-model"), prompt: "6 times 7?", maxRetries: 0 });
    let text = "";
    for await (const piece of streamed.textStream) text += piece;
    assert.equal(text, "42");
    assert.equal(await streamed.reasoningText, "six sevens make 42");
    assert.equal((await streamed.usage).reasoningTokens, 9);

    const voted = await generateText({
      model: lmx("self-consistency(n=2)@openai:test-model"),
      prompt: "6 times 7?",
      maxRetries: 0,
    });
    assert.equal(voted.text, "42");
    assert.equal(voted.reasoningText, "six sevens make 42");
    assert.equal(voted.usage.reasoningTokens, 18);
  } finally {
    await upstream.close();
  }
});
