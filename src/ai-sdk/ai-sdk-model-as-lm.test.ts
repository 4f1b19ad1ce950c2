import assert from "node:assert/strict";
import { test } from "node:test";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { createRunContext } from "../core/context.ts";
import { UpstreamError } from "../core/errors/upstream-error.ts";
import type { ChatResult, StreamEvent } from "../core/types.ts";
import { startOpenAITestServer } from "../testing/openai-test-server.ts";
import { aiSdkModelAsLM } from "./ai-sdk-model-as-lm.ts";

async function withModel(
  options: Parameters<typeof startOpenAITestServer>[0],
  fn: (u: Awaited<ReturnType<typeof startOpenAITestServer>>, lm: ReturnType<typeof aiSdkModelAsLM>) => Promise<void>,
) {
  const upstream = await startOpenAITestServer(options);
  try {
    const model = createOpenAICompatible({
      baseURL: upstream.url,
      name: "openai",
      includeUsage: true,
      supportsStructuredOutputs: true,
    }).chatModel("test-model");
    await fn(upstream, aiSdkModelAsLM(model, { retry: { retries: 0 } }));
  } finally {
    await upstream.close();
  }
}

test("an AI SDK model as an LM: multi-part content, tools and settings reach the upstream; usage is what it reported", async () => {
  await withModel(
    { reply: () => ({ content: "A cat.", extra: {} }), behaviour: { cachedTokens: 1 } },
    async (upstream, lm) => {
      assert.equal(lm.id, "openai:test-model");
      const ctx = createRunContext();
      const r = await lm.complete(
        {
          messages: [
            { role: "system", content: "Describe." },
            {
              role: "user",
              content: [
                { type: "text", text: "What is this?" },
                { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0K" } },
              ],
            },
          ],
          tools: [{ type: "function", function: { name: "zoom", parameters: { type: "object", properties: {} } } }],
          tool_choice: "auto",
          stop: "\n",
          seed: 3,
          top_p: 0.5,
          response_format: {
            type: "json_schema",
            json_schema: { name: "answer", schema: { type: "object", properties: { a: { type: "string" } } } },
          },
        },
        ctx,
      );
      assert.equal(r.choices[0]!.message.content, "A cat.");
      const sent = upstream.requests[0]!.body;
      assert.deepEqual(sent.messages[1].content[1], {
        type: "image_url",
        image_url: { url: "data:image/png;base64,iVBORw0K" },
      });
      assert.equal(sent.tools[0].function.name, "zoom");
      assert.deepEqual(sent.stop, ["\n"]);
      assert.equal(sent.seed, 3);
      assert.equal(sent.top_p, 0.5);
      assert.equal(sent.response_format.type, "json_schema");
      assert.equal(r.usage.prompt_tokens, upstream.reported[0]!.prompt_tokens);
      assert.equal(r.usage.completion_tokens, upstream.reported[0]!.completion_tokens);
      assert.equal(r.usage.cached_tokens, 1);
      assert.equal(ctx.span.total.calls, 1, "the call is in the trace");
    },
  );
});

test("streaming yields each delta as it comes and tool calls as tool_call deltas; n becomes separate calls", async () => {
  await withModel(
    {
      reply: (r, i) =>
        r.tools ? { tool_calls: [{ id: "call_1", name: "add", arguments: { a: 1 } }] } : `one two three ${i}`,
    },
    async (upstream, lm) => {
      const events: StreamEvent[] = [];
      for await (const e of lm.stream({ messages: [{ role: "user", content: "count" }] })) events.push(e);
      const deltas = events.filter((e) => e.type === "delta");
      assert.ok(deltas.length >= 4, `${deltas.length} deltas`);
      const result = (events.at(-1) as { result: ChatResult }).result;
      assert.equal(result.choices[0]!.message.content, "one two three 0");
      assert.equal(result.usage.completion_tokens, upstream.reported[0]!.completion_tokens);

      const toolEvents: StreamEvent[] = [];
      for await (const e of lm.stream({
        messages: [{ role: "user", content: "add" }],
        tools: [{ type: "function", function: { name: "add" } }],
      }))
        toolEvents.push(e);
      const final = (toolEvents.at(-1) as { result: ChatResult }).result;
      assert.equal(final.choices[0]!.finish_reason, "tool_calls");
      assert.deepEqual(final.choices[0]!.message.tool_calls, [
        { id: "call_1", type: "function", function: { name: "add", arguments: '{"a":1}' } },
      ]);
      assert.ok(toolEvents.some((e) => e.type === "delta" && e.tool_calls?.[0]?.function?.name === "add"));

      const many = await lm.complete({ messages: [{ role: "user", content: "x" }], n: 3 });
      assert.equal(many.choices.length, 3);
      assert.equal(many.usage.calls, 3);
      assert.equal(
        upstream.requests.slice(2).every((r) => r.body.n === undefined),
        true,
      );
    },
  );
});

test("an upstream failure is a typed UpstreamError with its status", async () => {
  await withModel({ behaviour: { failFirst: { count: 5, status: 503 } } }, async (_upstream, lm) => {
    await assert.rejects(
      lm.complete({ messages: [{ role: "user", content: "x" }] }),
      (e) => UpstreamError.isInstance(e) && e.status === 503 && e.failure === "http",
    );
  });
});

test("a token budget's cap reaches the AI SDK model even when the request sets a larger max_completion_tokens", async () => {
  await withModel({}, async (upstream, lm) => {
    await lm.complete(
      { messages: [{ role: "user", content: "Say something long." }], max_completion_tokens: 4_000 },
      createRunContext({ budget: { tokens: 50 } }),
    );
    const sent = upstream.requests[0]!.body;
    assert.ok(sent.max_tokens <= 50, `max_tokens sent: ${sent.max_tokens}`);
  });
});

test("a 429's Retry-After given as an HTTP date is honoured", async () => {
  const retryAfter = new Date(Date.now() + 2_000).toUTCString();
  await withModel({ behaviour: { failFirst: { count: 1, status: 429, retryAfter } } }, async (upstream) => {
    const model = createOpenAICompatible({ baseURL: upstream.url, name: "openai", includeUsage: true }).chatModel(
      "test-model",
    );
    const ctx = createRunContext();
    const r = await aiSdkModelAsLM(model, { retry: { retries: 1, baseDelayMs: 1 } }).complete(
      { messages: [{ role: "user", content: "hi" }] },
      ctx,
    );
    assert.equal(r.choices[0]!.message.content, "answer 0");
    const retry = ctx.span.children[0]!.events.find((e) => e.name === "retry")!;
    assert.ok((retry.data.delay_ms as number) >= 500, `waited ${String(retry.data.delay_ms)} ms`);
  });
});

test("an AI SDK model as an LM: reasoning streams as reasoning deltas and its tokens are counted", async () => {
  const reply = { content: "42", reasoning_content: "six sevens make 42", reasoning_tokens: 9 };
  await withModel({ reply: () => reply }, async (_upstream, lm) => {
    const done = await lm.complete({ messages: [{ role: "user", content: "6 times 7?" }] });
    assert.equal(done.choices[0]!.message.content, "42");
    assert.equal(done.choices[0]!.message.reasoning_content, reply.reasoning_content);
    assert.equal(done.usage.reasoning_tokens, 9);
    const events: StreamEvent[] = [];
    for await (const e of lm.stream({ messages: [{ role: "user", content: "6 times 7?" }] })) events.push(e);
    const deltas = events.filter((e) => e.type === "delta");
    assert.equal(deltas.map((d) => d.reasoning ?? "").join(""), reply.reasoning_content);
    assert.equal(deltas.map((d) => d.content ?? "").join(""), "42");
  });
});
