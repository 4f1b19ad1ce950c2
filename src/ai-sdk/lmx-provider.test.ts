import assert from "node:assert/strict";
import { test } from "node:test";
import { NoSuchModelError } from "@ai-sdk/provider";
import { generateText, streamText } from "ai";
import { configSchema } from "../config/config-schema.ts";
import type { LoadedConfig } from "../config/load-config.ts";
import { createModelResolver } from "../providers/resolve-model.ts";
import { allTechniques } from "../techniques/all.ts";
import { createRegistry } from "../techniques/registry.ts";
import { startOpenAITestServer } from "../testing/openai-test-server.ts";
import { majorityVote } from "../server/testing/proxy-fixture.ts";
import { createLmx } from "./lmx-provider.ts";

test("createLmx gives AI SDK models for technique specs, aliases and plain models", async () => {
  const upstream = await startOpenAITestServer({ reply: (_r, i) => (i % 3 === 2 ? "no" : "yes indeed") });
  const config: LoadedConfig = {
    ...configSchema.parse({
      providers: { openai: { baseURL: upstream.url, apiKey: "sk-test-SECRET", retries: 0 } },
      aliases: { careful: "majority-vote(n=3)@openai:test-model", loop: "majority-vote@loop" },
    }),
    env: {},
  };
  const resolveModel = createModelResolver({ config });
  try {
    const lmx = createLmx({
      config,
      resolveModel,
      registry: createRegistry([...allTechniques, majorityVote]),
      defaultModel: "openai:test-model",
    });
    const voted = await generateText({
      model: lmx("majority-vote(n=3)@openai:test-model"),
      prompt: "ok?",
      maxRetries: 0,
    });
    assert.equal(voted.text, "yes indeed");
    assert.equal(upstream.requests.length, 3);
    assert.equal(
      voted.usage.outputTokens,
      upstream.reported.reduce((s, u) => s + u.completion_tokens, 0),
    );
    assert.equal((voted.providerMetadata as any).lmx.calls, 3);

    const aliased = await generateText({ model: lmx.languageModel("careful"), prompt: "ok?", maxRetries: 0 });
    assert.equal(aliased.text, "yes indeed");
    assert.equal(upstream.requests.length, 6);

    const plain = streamText({ model: lmx("openai:test-model"), prompt: "stream please", maxRetries: 0 });
    const pieces: string[] = [];
    for await (const piece of plain.textStream) pieces.push(piece);
    assert.ok(pieces.length >= 2, "the plain model streams in pieces");
    assert.equal(pieces.join(""), "yes indeed");
    assert.equal(upstream.requests.at(-1)!.body.stream, true);

    const bare = await generateText({ model: lmx("majority-vote(n=2)"), prompt: "ok?", maxRetries: 0 });
    assert.equal(bare.response.modelId, "majority-vote(n=2)@openai:test-model");

    assert.throws(() => lmx("majority-vot(n=2)@openai:test-model"), /unknown technique/);
    assert.throws(() => lmx("loop"), /refers to itself/);
    assert.throws(
      () => lmx.embeddingModel("x"),
      (e) => NoSuchModelError.isInstance(e),
    );
  } finally {
    await resolveModel.close();
    await upstream.close();
  }
});
