import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { UpstreamError } from "../../core/errors/upstream-error.ts";
import type { ChatRequest } from "../../core/types.ts";
import { collectEvents } from "../../testing/collect-events.ts";
import { startAnthropicTestServer } from "../../testing/anthropic-test-server.ts";
import { scopedServer } from "../../testing/scoped-server.ts";
import { anthropicDriver } from "./anthropic-driver.ts";
import { anthropicLM } from "./anthropic-lm.ts";

const ask: ChatRequest = {
  messages: [
    { role: "system", content: "You are terse." },
    { role: "user", content: "Capital of France?" },
  ],
};
const fast = { retry: { baseDelayMs: 1 } };

const withServer = scopedServer(startAnthropicTestServer);

test("a completion: system moved out, default max_tokens, usage (with cache reads) as the server reported", async () => {
  await withServer({ reply: () => "Paris.", behaviour: { cacheReadTokens: 3 } }, async (server) => {
    const r = await anthropicLM({ model: "claude-test", baseURL: server.url, apiKey: "k" }).complete({
      ...ask,
      temperature: 1.5,
      stop: "END",
      seed: 4,
    });
    assert.equal(r.choices[0]!.message.content, "Paris.");
    assert.equal(r.choices[0]!.finish_reason, "stop");
    const body = server.requests[0]!.body;
    assert.equal(body.system, "You are terse.");
    assert.deepEqual(body.messages, [{ role: "user", content: [{ type: "text", text: "Capital of France?" }] }]);
    assert.equal(body.max_tokens, 1024);
    assert.equal(body.temperature, 1, "clamped to Anthropic's range");
    assert.deepEqual(body.stop_sequences, ["END"]);
    assert.equal(body.seed, undefined);
    const headers = server.requests[0]!.headers;
    assert.ok(headers["x-api-key"] === "k" || headers.authorization === "Bearer k", "the key was sent");
    const u = server.reported[0]!;
    assert.deepEqual(
      [r.usage.prompt_tokens, r.usage.completion_tokens, r.usage.cached_tokens],
      [u.prompt_tokens, u.completion_tokens, 3],
    );
  });
});

test("tools, tool calls and tool results convert both ways", async () => {
  const reply = (req: any) =>
    req.messages.at(-1).content.some((b: any) => b.type === "tool_result")
      ? "Sunny in Paris, 18 in Rome."
      : {
          tool_use: [
            { id: "toolu_1", name: "weather", input: { city: "Paris" } },
            { id: "toolu_2", name: "weather", input: { city: "Rome" } },
          ],
        };
  await withServer({ reply }, async (server) => {
    const lm = anthropicLM({ model: "claude-test", baseURL: server.url });
    const tools = [
      {
        type: "function" as const,
        function: {
          name: "weather",
          description: "Weather now",
          parameters: { type: "object", properties: { city: { type: "string" } } },
        },
      },
    ];
    const request: ChatRequest = { ...ask, tools, tool_choice: "required", parallel_tool_calls: true };
    const first = await lm.complete(request);
    const message = first.choices[0]!.message;
    assert.equal(first.choices[0]!.finish_reason, "tool_calls");
    assert.equal(message.content, null);
    assert.deepEqual(
      message.tool_calls!.map((t) => [t.id, t.function.name, JSON.parse(t.function.arguments)]),
      [
        ["toolu_1", "weather", { city: "Paris" }],
        ["toolu_2", "weather", { city: "Rome" }],
      ],
    );
    assert.deepEqual(server.requests[0]!.body.tools, [
      { name: "weather", description: "Weather now", input_schema: tools[0]!.function.parameters },
    ]);
    assert.deepEqual(server.requests[0]!.body.tool_choice, { type: "any" });

    const second = await lm.complete({
      ...request,
      messages: [
        ...request.messages,
        message,
        { role: "tool", tool_call_id: "toolu_1", content: "sunny" },
        { role: "tool", tool_call_id: "toolu_2", content: "18C" },
        { role: "user", content: "Summarise." },
      ],
    });
    assert.equal(second.choices[0]!.message.content, "Sunny in Paris, 18 in Rome.");
    const sent = server.requests[1]!.body.messages;
    assert.deepEqual(
      sent.map((m: any) => m.role),
      ["user", "assistant", "user"],
      "tool results and the user note merged into one turn",
    );
    assert.deepEqual(sent[1].content, [
      { type: "tool_use", id: "toolu_1", name: "weather", input: { city: "Paris" } },
      { type: "tool_use", id: "toolu_2", name: "weather", input: { city: "Rome" } },
    ]);
    assert.deepEqual(sent[2].content, [
      { type: "tool_result", tool_use_id: "toolu_1", content: "sunny" },
      { type: "tool_result", tool_use_id: "toolu_2", content: "18C" },
      { type: "text", text: "Summarise." },
    ]);
  });
});

test("streaming: text deltas, tool-call fragments and usage assemble into the result", async () => {
  const text = "Paris is the capital of France.";
  await withServer(
    {
      reply: (_r, i) =>
        i === 0
          ? text
          : {
              content: "Let me check.",
              tool_use: [{ id: "toolu_9", name: "lookup", input: { query: "capital of France", limit: 3 } }],
            },
    },
    async (server) => {
      const lm = anthropicLM({ model: "claude-test", baseURL: server.url });
      const a = await collectEvents(lm.stream(ask));
      assert.ok(a.deltas.length >= 6);
      assert.equal(a.deltas.map((d) => d.content ?? "").join(""), text);
      assert.equal(a.result.choices[0]!.message.content, text);
      assert.equal(a.result.usage.completion_tokens, server.reported[0]!.completion_tokens);
      assert.equal(a.result.usage.prompt_tokens, server.reported[0]!.prompt_tokens);
      assert.equal(server.requests[0]!.body.stream, true);

      const b = await collectEvents(lm.stream(ask));
      assert.ok(
        b.deltas.filter((d) => d.tool_calls?.[0]?.function?.arguments).length > 2,
        "tool input arrived in fragments",
      );
      const call = b.result.choices[0]!.message.tool_calls![0]!;
      assert.equal(call.id, "toolu_9");
      assert.deepEqual(JSON.parse(call.function.arguments), { query: "capital of France", limit: 3 });
      assert.equal(b.result.choices[0]!.message.content, "Let me check.");
      assert.equal(b.result.choices[0]!.finish_reason, "tool_calls");
    },
  );
});

test("n=3 is three concurrent calls with distinct answers", async () => {
  await withServer({}, async (server) => {
    const r = await anthropicLM({ model: "claude-test", baseURL: server.url }).complete({ ...ask, n: 3 });
    assert.equal(r.choices.length, 3);
    assert.equal(new Set(r.choices.map((c) => c.message.content)).size, 3);
    assert.equal(server.requests.length, 3);
    assert.ok(server.requests.every((q) => q.body.n === undefined));
    assert.equal(r.usage.calls, 3);
    assert.equal(
      r.usage.completion_tokens,
      server.reported.reduce((s, u) => s + u.completion_tokens, 0),
    );
  });
});

test("errors map to typed UpstreamErrors with the upstream's message and Retry-After", async () => {
  await withServer(
    { behaviour: { failFirst: { count: 1, status: 529, retryAfter: 0, message: "Overloaded" } } },
    async (server) => {
      const ctx = createRunContext();
      const r = await anthropicLM({ model: "claude-test", baseURL: server.url, ...fast }).complete(ask, ctx);
      assert.equal(r.choices[0]!.message.content, "answer 0");
      assert.match(ctx.span.children[0]!.events[0]!.data.error as string, /anthropic answered 529: Overloaded/);
    },
  );
  await withServer(
    { behaviour: { failFirst: { count: 5, status: 400, message: "messages: roles must alternate" } } },
    async (server) => {
      await assert.rejects(
        anthropicLM({ model: "claude-test", baseURL: server.url, ...fast }).complete(ask),
        (e) =>
          UpstreamError.isInstance(e) && e.status === 400 && e.upstreamMessage === "messages: roles must alternate",
      );
      assert.equal(server.requests.length, 1);
    },
  );
  await withServer({ behaviour: { failFirst: { count: 5, status: 429, retryAfter: 30 } } }, async (server) => {
    const lm = anthropicLM({ model: "claude-test", baseURL: server.url, retry: { retries: 0 } });
    await assert.rejects(
      lm.complete(ask),
      (e) => UpstreamError.isInstance(e) && e.status === 429 && e.retryAfter === 30,
    );
  });
  await withServer({ behaviour: { malformed: "incomplete" } }, async (server) => {
    const lm = anthropicLM({ model: "claude-test", baseURL: server.url });
    await assert.rejects(
      lm.complete(ask),
      (e) => UpstreamError.isInstance(e) && e.failure === "malformed" && /content/.test(e.message),
    );
    server.behaviour.malformed = "invalid-json";
    await assert.rejects(
      lm.complete(ask),
      (e) => UpstreamError.isInstance(e) && e.failure === "malformed" && /not valid JSON/.test(e.message),
    );
    await assert.rejects(
      collectEvents(lm.stream(ask)),
      (e) => UpstreamError.isInstance(e) && e.failure === "malformed",
    );
  });
  await withServer({ behaviour: { dropConnection: true } }, async (server) => {
    await assert.rejects(
      anthropicLM({ model: "claude-test", baseURL: server.url, retry: { retries: 1, baseDelayMs: 1 } }).complete(ask),
      (e) => UpstreamError.isInstance(e) && e.failure === "connection",
    );
    assert.equal(server.requests.length, 2);
  });
  await withServer({ reply: () => "one two three four", behaviour: { dropAfterEvents: 4 } }, async (server) => {
    await assert.rejects(
      collectEvents(anthropicLM({ model: "claude-test", baseURL: server.url, ...fast }).stream(ask)),
      (e) => UpstreamError.isInstance(e) && e.failure === "connection",
    );
  });
  await withServer({ behaviour: { delayMs: 5000 } }, async (server) => {
    const lm = anthropicLM({ model: "claude-test", baseURL: server.url, timeoutMs: 100, retry: { retries: 0 } });
    await assert.rejects(lm.complete(ask), (e) => UpstreamError.isInstance(e) && e.failure === "timeout");
  });
});

test("response_format: a schema instruction by default (fenced JSON unwrapped), output_config when native", async () => {
  const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
  const request: ChatRequest = {
    ...ask,
    response_format: { type: "json_schema", json_schema: { name: "answer", schema } },
  };
  await withServer({ reply: () => '```json\n{"city":"Paris"}\n```' }, async (server) => {
    const r = await anthropicLM({ model: "claude-test", baseURL: server.url }).complete(request);
    assert.deepEqual(JSON.parse(r.choices[0]!.message.content!), { city: "Paris" });
    const system: string = server.requests[0]!.body.system;
    assert.ok(system.startsWith("You are terse.\n\n"));
    assert.ok(system.includes(JSON.stringify(schema)));
    assert.equal(server.requests[0]!.body.output_config, undefined);

    const native = anthropicLM({ model: "claude-test", baseURL: server.url, structuredOutput: "native" });
    assert.equal(native.capabilities.constrainedOutput, true);
    await native.complete(request);
    assert.deepEqual(server.requests[1]!.body.output_config, { format: { type: "json_schema", schema } });
    assert.equal(server.requests[1]!.body.system, "You are terse.");
  });
});

test("without a key or a base URL the driver refuses with a ConfigurationError", () => {
  const saved = { key: process.env.ANTHROPIC_API_KEY, url: process.env.ANTHROPIC_BASE_URL };
  delete process.env.ANTHROPIC_API_KEY;
  delete process.env.ANTHROPIC_BASE_URL;
  try {
    assert.throws(
      () => anthropicDriver({ model: "claude-3-5-haiku-latest" }),
      (e) => ConfigurationError.isInstance(e) && /ANTHROPIC_API_KEY/.test(e.message),
    );
  } finally {
    if (saved.key !== undefined) process.env.ANTHROPIC_API_KEY = saved.key;
    if (saved.url !== undefined) process.env.ANTHROPIC_BASE_URL = saved.url;
  }
});

test("an overloaded_error event in a stream before any text is retried like a 529", async () => {
  await withServer({ reply: () => "fine now", behaviour: { overloadedStreams: 1 } }, async (server) => {
    const ctx = createRunContext();
    const { result } = await collectEvents(
      anthropicLM({ model: "claude-test", baseURL: server.url, ...fast }).stream(ask, ctx),
    );
    assert.equal(result.choices[0]!.message.content, "fine now");
    assert.equal(server.requests.length, 2);
    assert.match(ctx.span.children[0]!.events[0]!.data.error as string, /529: Overloaded/);

    // With no retries left it is a 529 (the proxy answers 502), not a status-less failure.
    server.behaviour.overloadedStreams = 3;
    const once = anthropicLM({ model: "claude-test", baseURL: server.url, retry: { retries: 0 } });
    await assert.rejects(
      collectEvents(once.stream(ask)),
      (e) => UpstreamError.isInstance(e) && e.status === 529 && e.isRetryable,
    );
  });
});
