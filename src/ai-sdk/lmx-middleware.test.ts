import assert from "node:assert/strict";
import { test } from "node:test";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { generateText, jsonSchema, streamText, tool, wrapLanguageModel } from "ai";
import { createRegistry } from "../techniques/registry.ts";
import { allTechniques } from "../techniques/all.ts";
import { startOpenAITestServer } from "../testing/openai-test-server.ts";
import { majorityVote } from "../server/testing/proxy-fixture.ts";
import { lmxMiddleware } from "./lmx-middleware.ts";
import { configSchema } from "../config/config-schema.ts";
import { createLmxRuntime } from "../runtime/create-lmx-runtime.ts";

const registry = createRegistry([...allTechniques, majorityVote]);

async function withUpstream(
  reply: Parameters<typeof startOpenAITestServer>[0],
  fn: (
    u: Awaited<ReturnType<typeof startOpenAITestServer>>,
    model: ReturnType<ReturnType<typeof createOpenAICompatible>["chatModel"]>,
  ) => Promise<void>,
) {
  const upstream = await startOpenAITestServer(reply);
  try {
    const provider = createOpenAICompatible({
      baseURL: upstream.url,
      name: "upstream",
      apiKey: "sk-test-SECRET",
      includeUsage: true,
    });
    await fn(upstream, provider.chatModel("test-model"));
  } finally {
    await upstream.close();
  }
}

const sum = (
  reported: { prompt_tokens: number; completion_tokens: number }[],
  k: "prompt_tokens" | "completion_tokens",
) => reported.reduce((s, u) => s + u[k], 0);

test("generateText over a wrapped AI SDK model runs the technique, every call through lmx's accounting", async () => {
  await withUpstream({ reply: (_r, i) => (i === 2 ? "Rome" : "Paris") }, async (upstream, base) => {
    const model = wrapLanguageModel({ model: base, middleware: lmxMiddleware("majority-vote(n=3)", { registry }) });
    const result = await generateText({
      model,
      system: "Answer in one word.",
      prompt: "Capital of France?",
      temperature: 0.5,
      maxOutputTokens: 20,
      maxRetries: 0,
    });
    assert.equal(result.text, "Paris");
    assert.equal(upstream.requests.length, 3);
    const sent = upstream.requests[0]!.body;
    assert.deepEqual(sent.messages[0], { role: "system", content: "Answer in one word." });
    assert.equal(sent.temperature, 0.5);
    assert.equal(sent.max_tokens, 20);
    assert.equal(result.usage.inputTokens, sum(upstream.reported, "prompt_tokens"));
    assert.equal(result.usage.outputTokens, sum(upstream.reported, "completion_tokens"));
    assert.equal((result.providerMetadata as any).lmx.calls, 3);
    assert.equal(result.finishReason, "stop");

    await generateText({
      model,
      prompt: "again",
      headers: { "x-caller": "abc" },
      providerOptions: { upstream: { user: "user-7" } },
      maxRetries: 0,
    });
    const last = upstream.requests.at(-1)!;
    assert.equal(last.headers["x-caller"], "abc", "call headers reach the wrapped model");
    assert.equal(last.body.user, "user-7", "provider options reach the wrapped model");
    assert.equal(last.body.lmx, undefined);
  });
});

test("the built-in self-consistency(n=5) over an AI SDK model: five calls, majority answer, summed usage", async () => {
  await withUpstream(
    { reply: (_r, i) => (i === 3 ? "So the answer is 5." : "So the answer is 4.") },
    async (upstream, base) => {
      const model = wrapLanguageModel({ model: base, middleware: lmxMiddleware("self-consistency(n=5)") });
      const result = await generateText({ model, prompt: "What is 2+2?", maxRetries: 0 });
      assert.equal(result.text, "So the answer is 4.");
      assert.equal(upstream.requests.length, 5, "the AI SDK model has no native n: one call per sample");
      assert.equal(result.usage.inputTokens, sum(upstream.reported, "prompt_tokens"));
      assert.equal(result.usage.outputTokens, sum(upstream.reported, "completion_tokens"));
    },
  );
});

test("streamText over the middleware streams the technique's answer and reports all usage", async () => {
  await withUpstream({ reply: () => "the same answer" }, async (upstream, base) => {
    const model = wrapLanguageModel({ model: base, middleware: lmxMiddleware("majority-vote(n=2)", { registry }) });
    const result = streamText({ model, prompt: "Say it", maxRetries: 0 });
    let text = "";
    for await (const piece of result.textStream) text += piece;
    assert.equal(text, "the same answer");
    assert.equal((await result.usage).outputTokens, sum(upstream.reported, "completion_tokens"));
    assert.equal(upstream.requests.length, 2);
  });
});

test("tool calls of the wrapped model come back as AI SDK tool calls; the tool round trip reaches the upstream", async () => {
  await withUpstream(
    {
      reply: (r) =>
        r.messages.at(-1).role === "tool"
          ? "It is sunny."
          : { tool_calls: [{ id: "call_7", name: "weather", arguments: { city: "Oslo" } }] },
    },
    async (upstream, base) => {
      const model = wrapLanguageModel({ model: base, middleware: lmxMiddleware("majority-vote(n=1)", { registry }) });
      const weather = tool({
        description: "weather",
        inputSchema: jsonSchema<{ city: string }>({
          type: "object",
          properties: { city: { type: "string" } },
          required: ["city"],
        }),
        execute: async ({ city }) => ({ city, sky: "sunny" }),
      });
      const result = await generateText({
        model,
        prompt: "Weather in Oslo?",
        tools: { weather },
        stopWhen: ({ steps }) => steps.length >= 2,
        maxRetries: 0,
      });
      assert.equal(result.steps[0]!.toolCalls[0]!.toolName, "weather");
      assert.deepEqual(result.steps[0]!.toolCalls[0]!.input, { city: "Oslo" });
      assert.equal(result.steps[0]!.finishReason, "tool-calls");
      assert.equal(result.text, "It is sunny.");
      const second = upstream.requests[1]!.body.messages;
      assert.equal(second[1].tool_calls[0].id, "call_7");
      assert.equal(second[2].role, "tool");
      assert.equal(second[2].tool_call_id, "call_7");
      assert.deepEqual(JSON.parse(second[2].content), { city: "Oslo", sky: "sunny" });
      assert.equal(upstream.requests[0]!.body.tools[0].function.name, "weather");
    },
  );
});

test("a technique spec with a model, or an unknown technique, is refused when the middleware is made", () => {
  assert.throws(() => lmxMiddleware("majority-vote@openai:x", { registry }), /techniques only/);
  assert.throws(() => lmxMiddleware("majority-vot", { registry }), /unknown technique/);
});

test("model options may name the runtime's aliases, and another runtime's aliases are unknown", async () => {
  const helper = await startOpenAITestServer({ reply: () => "What is the capital city of France?" });
  const config = {
    ...configSchema.parse({
      providers: { openai: { baseURL: helper.url, apiKey: "sk-helper", retries: 0 } },
      aliases: { helper: "openai:rephrase-model" },
    }),
    env: {},
  };
  const runtime = createLmxRuntime(config, { registry });
  const other = createLmxRuntime({ ...configSchema.parse({}), env: {} }, { registry });
  try {
    await withUpstream({ reply: () => "Paris" }, async (upstream, base) => {
      const spec = "rephrase-and-respond(mode=two-step, rephraser=helper)";
      const model = wrapLanguageModel({ model: base, middleware: lmxMiddleware(spec, { runtime }) });
      const result = await generateText({ model, prompt: "Capital of France?", maxRetries: 0 });
      assert.equal(result.text, "Paris");
      assert.equal(helper.requests.length, 1, "the alias's model rephrased the question");
      assert.equal(helper.requests[0]!.body.model, "rephrase-model");
      assert.ok(upstream.requests.length >= 1);
      const stranger = wrapLanguageModel({ model: base, middleware: lmxMiddleware(spec, { runtime: other }) });
      await assert.rejects(generateText({ model: stranger, prompt: "Capital of France?", maxRetries: 0 }), /helper/);
    });
  } finally {
    await runtime.close();
    await other.close();
    await helper.close();
  }
});
