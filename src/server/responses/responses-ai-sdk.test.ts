import assert from "node:assert/strict";
import { test } from "node:test";
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, stepCountIs, streamText, tool } from "ai";
import { z } from "zod";
import { checkAiSdkStreaming } from "../testing/check-ai-sdk-streaming.ts";
import { startProxyFixture } from "../testing/proxy-fixture.ts";

/** Calls get_weather until the conversation holds its output, then answers with it. */
const toolUser = (request: any) => {
  const result = request.messages.find((m: any) => m.role === "tool");
  if (result) return `It is ${result.content} in Paris.`;
  return { tool_calls: [{ id: "call_abc", name: "get_weather", arguments: { city: "Paris" } }] };
};

const getWeather = tool({
  description: "the weather in a city",
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => (city === "Paris" ? "sunny" : "unknown"),
});

test("@ai-sdk/openai's default provider (the Responses API) works against lmx serve: generateText and streamText", async () => {
  const f = await startProxyFixture({ reply: () => "Hello from upstream" });
  try {
    const openai = createOpenAI({ baseURL: f.proxy.url, apiKey: "no-key" });
    const plain = await generateText({ model: openai("gpt-4o-mini"), prompt: "hi", maxRetries: 0 });
    assert.equal(plain.text, "Hello from upstream");
    assert.equal(plain.finishReason, "stop");
    assert.equal(plain.usage.outputTokens, f.upstream.reported[0]!.completion_tokens);
    assert.equal(plain.usage.inputTokens, f.upstream.reported[0]!.prompt_tokens);
    assert.match(plain.response.id, /^resp_/);
    assert.equal(f.upstream.requests[0]!.body.model, "gpt-4o-mini");

    const voted = await generateText({
      model: openai.responses("majority-vote(n=3)@openai:test-model"),
      system: "be brief",
      prompt: "hi",
      maxRetries: 0,
    });
    assert.equal(voted.text, "Hello from upstream");
    assert.equal(voted.response.modelId, "majority-vote(n=3)@openai:test-model");
    assert.equal(f.upstream.requests.length, 4);
    assert.equal(f.upstream.requests[1]!.body.messages[0].content, "be brief");

    await checkAiSdkStreaming(f, (id) => openai(id), "gpt-4o-mini");
  } finally {
    await f.close();
  }
});

test("@ai-sdk/openai: a tool call and its result over two steps, generated and streamed", async () => {
  const f = await startProxyFixture({ reply: toolUser });
  try {
    const openai = createOpenAI({ baseURL: f.proxy.url, apiKey: "no-key" });
    const result = await generateText({
      model: openai("gpt-4o-mini"),
      prompt: "Weather in Paris?",
      tools: { get_weather: getWeather },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    assert.equal(result.steps.length, 2);
    assert.equal(result.steps[0]!.finishReason, "tool-calls");
    assert.deepEqual(result.steps[0]!.toolCalls[0]!.input, { city: "Paris" });
    assert.equal(result.text, "It is sunny in Paris.");
    const second = f.upstream.requests[1]!.body.messages;
    assert.equal(second.find((m: any) => m.role === "tool").content, "sunny");

    const streamed = streamText({
      model: openai("gpt-4o-mini"),
      prompt: "Weather in Paris?",
      tools: { get_weather: getWeather },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    assert.equal(await streamed.text, "It is sunny in Paris.");
    const steps = await streamed.steps;
    assert.equal(steps.length, 2);
    assert.deepEqual(steps[0]!.toolCalls[0]!.input, { city: "Paris" });
  } finally {
    await f.close();
  }
});

test("@ai-sdk/openai: earlier output sent back as item_reference (text before a tool call) is resolved from the stored response", async () => {
  const f = await startProxyFixture({
    reply: (request: any) => {
      const result = request.messages.find((m: any) => m.role === "tool");
      if (result) return `It is ${result.content}.`;
      return {
        content: "Let me look.",
        tool_calls: [{ id: "call_abc", name: "get_weather", arguments: { city: "Paris" } }],
      };
    },
  });
  try {
    const openai = createOpenAI({ baseURL: f.proxy.url, apiKey: "no-key" });
    const result = await generateText({
      model: openai("gpt-4o-mini"),
      prompt: "Weather in Paris?",
      tools: { get_weather: getWeather },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    assert.equal(result.text, "It is sunny.");
    const second = f.upstream.requests[1]!.body.messages;
    assert.deepEqual(
      second.map((m: any) => m.role),
      ["user", "assistant", "tool"],
    );
    assert.equal(second[1].content, "Let me look.", "the referenced text came back from the stored response");
    assert.equal(second[1].tool_calls[0].id, "call_abc");
  } finally {
    await f.close();
  }
});

test("@ai-sdk/openai reads the reasoning item as reasoning text, generated and streamed", async () => {
  const f = await startProxyFixture({ reply: () => ({ content: "42", extra: { reasoning_content: "6 times 7" } }) });
  try {
    const openai = createOpenAI({ baseURL: f.proxy.url, apiKey: "no-key" });
    const generated = await generateText({ model: openai("gpt-4o-mini"), prompt: "6 x 7?", maxRetries: 0 });
    assert.equal(generated.text, "42");
    assert.equal(generated.reasoningText, "6 times 7");
    const streamed = streamText({ model: openai("gpt-4o-mini"), prompt: "6 x 7?", maxRetries: 0 });
    assert.equal(await streamed.text, "42");
    assert.equal(await streamed.reasoningText, "6 times 7");
  } finally {
    await f.close();
  }
});
