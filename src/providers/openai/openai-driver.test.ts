import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import type { ChatRequest, ToolDefinition } from "../../core/types.ts";
import { collectEvents } from "../../testing/collect-events.ts";
import { startOpenAITestServer } from "../../testing/openai-test-server.ts";
import { scopedServer } from "../../testing/scoped-server.ts";
import { openaiDriver } from "./openai-driver.ts";
import { openaiLM } from "./openai-lm.ts";
import { openaiParams } from "./openai-params.ts";
import { retryAfterSeconds } from "./retry-after.ts";

const ask: ChatRequest = { messages: [{ role: "user", content: "What's the weather in Paris?" }] };
const weatherTool: ToolDefinition = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

const withServer = scopedServer(startOpenAITestServer);

test("tool calls round trip, plain and streamed (argument fragments joined)", async () => {
  const reply = (req: any) =>
    req.messages.at(-1).role === "tool"
      ? "It is sunny in Paris."
      : {
          content: null,
          tool_calls: [{ id: "call_1", name: "get_weather", arguments: { city: "Paris", unit: "celsius" } }],
        };
  await withServer({ reply }, async (server) => {
    const lm = openaiLM({ model: "m", baseURL: server.url });
    const request: ChatRequest = { ...ask, tools: [weatherTool], tool_choice: "auto", parallel_tool_calls: false };
    const first = await lm.complete(request);
    const call = first.choices[0]!.message.tool_calls![0]!;
    assert.equal(first.choices[0]!.finish_reason, "tool_calls");
    assert.equal(first.choices[0]!.message.content, null);
    assert.deepEqual(JSON.parse(call.function.arguments), { city: "Paris", unit: "celsius" });
    assert.deepEqual(server.requests[0]!.body.tools, [weatherTool]);
    assert.equal(server.requests[0]!.body.tool_choice, "auto");
    assert.equal(server.requests[0]!.body.parallel_tool_calls, false);

    const followUp: ChatRequest = {
      ...request,
      messages: [
        ...request.messages,
        first.choices[0]!.message,
        { role: "tool", tool_call_id: call.id, content: '{"sky":"clear"}' },
      ],
    };
    const second = await lm.complete(followUp);
    assert.equal(second.choices[0]!.message.content, "It is sunny in Paris.");
    const sent = server.requests[1]!.body.messages;
    assert.equal(sent[1].tool_calls[0].id, "call_1");
    assert.deepEqual(sent[2], { role: "tool", tool_call_id: "call_1", content: '{"sky":"clear"}' });

    const { deltas, result } = await collectEvents(lm.stream(request));
    const fragments = deltas.flatMap((d) => d.tool_calls ?? []).map((t) => t.function?.arguments ?? "");
    assert.ok(fragments.filter(Boolean).length > 2, "arguments arrived in several fragments");
    const streamed = result.choices[0]!.message.tool_calls![0]!;
    assert.equal(streamed.id, "call_1");
    assert.equal(streamed.function.name, "get_weather");
    assert.deepEqual(JSON.parse(streamed.function.arguments), { city: "Paris", unit: "celsius" });
    assert.equal(result.choices[0]!.finish_reason, "tool_calls");
  });
});

test("request fields pass through; the run's seed is sent; logprobs come back", async () => {
  await withServer({ reply: () => "Sunny and mild" }, async (server) => {
    const lm = openaiLM({ model: "m", baseURL: server.url });
    const request: ChatRequest = {
      messages: [
        { role: "system", content: "Be brief." },
        {
          role: "user",
          content: [
            { type: "text", text: "Describe" },
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
          ],
        },
      ],
      temperature: 0.3,
      top_p: 0.9,
      stop: ["\n\n"],
      max_tokens: 64,
      response_format: { type: "json_schema", json_schema: { name: "w", schema: { type: "object" } } },
      logprobs: true,
      top_logprobs: 2,
      repetition_penalty: 1.1,
      model: "ignored-by-lmx",
    };
    const r = await lm.complete(request, createRunContext({ seed: 1234 }));
    const body = server.requests[0]!.body;
    for (const key of [
      "temperature",
      "top_p",
      "stop",
      "max_tokens",
      "response_format",
      "logprobs",
      "top_logprobs",
      "repetition_penalty",
      "messages",
    ] as const)
      assert.deepEqual(body[key], request[key], key);
    assert.equal(body.seed, 1234);
    assert.equal(body.model, "m", "the LM's model is sent, not the request's");
    const logprobs = r.choices[0]!.logprobs!.content!;
    assert.deepEqual(
      logprobs.map((l) => l.token),
      ["Sunny ", "and ", "mild"],
    );
    assert.equal(logprobs[0]!.top_logprobs!.length, 2);

    const { deltas, result } = await collectEvents(lm.stream({ ...request, seed: 99 }));
    assert.equal(server.requests[1]!.body.seed, 99);
    assert.ok(deltas.some((d) => d.logprobs?.length));
    assert.equal(result.choices[0]!.logprobs!.content!.length, 3);
  });
});

test("cached prompt tokens are mapped, plain and streamed", async () => {
  await withServer({ behaviour: { cachedTokens: 4 } }, async (server) => {
    const lm = openaiLM({ model: "m", baseURL: server.url });
    assert.equal((await lm.complete(ask)).usage.cached_tokens, 4);
    assert.equal((await collectEvents(lm.stream(ask))).result.usage.cached_tokens, 4);
  });
});

test("extra message fields (refusal, reasoning_content) are kept", async () => {
  await withServer(
    { reply: () => ({ content: "42", extra: { reasoning_content: "6 times 7", refusal: null } }) },
    async (server) => {
      const lm = openaiLM({ model: "m", baseURL: server.url });
      const r = await lm.complete(ask);
      assert.equal(r.choices[0]!.message.reasoning_content, "6 times 7");
      assert.ok("refusal" in r.choices[0]!.message);
      const s = await collectEvents(lm.stream(ask));
      assert.equal(s.result.choices[0]!.message.reasoning_content, "6 times 7");
    },
  );
});

test("a server that reports no usage gets an estimate, so budgets still move", async () => {
  await withServer(
    { reply: () => "a fairly long answer with several words in it", behaviour: { omitUsage: true } },
    async (server) => {
      const lm = openaiLM({ model: "m", baseURL: server.url });
      const r = await lm.complete(ask);
      assert.ok(r.usage.prompt_tokens > 0 && r.usage.completion_tokens > 5, JSON.stringify(r.usage));
      const s = await collectEvents(lm.stream(ask));
      assert.ok(s.result.usage.completion_tokens > 5);
    },
  );
});

test("without a key or a base URL the driver refuses with a ConfigurationError", () => {
  // The environment is the driver's argument (openaiLM passes process.env), never read here.
  assert.throws(
    () => openaiDriver({ model: "gpt-4o-mini", env: {} }),
    (e) => ConfigurationError.isInstance(e) && /OPENAI_API_KEY/.test(e.message),
  );
  assert.equal(openaiDriver({ model: "local", env: { OPENAI_BASE_URL: "http://127.0.0.1:9/v1" } }).model, "local");
});

test("openaiParams keeps the smaller token cap and drops n=1", () => {
  const p = openaiParams({
    request: { ...ask, n: 1, max_tokens: 50, max_completion_tokens: 200, stream: true, lmx: { x: 1 } },
    model: "m",
    seed: 3,
  });
  assert.deepEqual(p, { model: "m", messages: ask.messages, max_completion_tokens: 50, seed: 3 });
});

test("Retry-After is read as seconds, milliseconds or an HTTP date", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");
  assert.equal(retryAfterSeconds({ headers: new Headers({ "retry-after": "7" }), now }), 7);
  assert.equal(retryAfterSeconds({ headers: new Headers({ "retry-after-ms": "1500", "retry-after": "7" }), now }), 1.5);
  assert.equal(
    retryAfterSeconds({ headers: new Headers({ "retry-after": "Wed, 01 Jan 2025 00:00:30 GMT" }), now }),
    30,
  );
  assert.equal(retryAfterSeconds({ headers: new Headers({ "retry-after": "soon" }), now }), undefined);
  assert.equal(retryAfterSeconds({ headers: new Headers(), now }), undefined);
});
