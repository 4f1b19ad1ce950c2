import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { UpstreamError } from "../../core/errors/upstream-error.ts";
import type { ChatRequest, LM } from "../../core/types.ts";
import { collectEvents } from "../../testing/collect-events.ts";
import { startHostileUpstream, type HostileUpstream } from "../../testing/hostile-upstream.ts";
import { anthropicLM } from "../anthropic/anthropic-lm.ts";
import { openaiLM } from "../openai/openai-lm.ts";

const ask: ChatRequest = { messages: [{ role: "user", content: "What is the capital of France?" }] };

async function withHostile(fn: (server: HostileUpstream) => Promise<void>) {
  const server = await startHostileUpstream({ kind: "never-answer" });
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

const openai = (s: HostileUpstream) => openaiLM({ model: "m", baseURL: s.url, retry: { retries: 0 } });
const anthropic = (s: HostileUpstream) => anthropicLM({ model: "m", baseURL: s.origin, retry: { retries: 0 } });
const isMalformed = (e: unknown) => UpstreamError.isInstance(e) && e.failure === "malformed";

const completion = (message: unknown, usage: unknown = { prompt_tokens: 10, completion_tokens: 2 }) => ({
  id: "x",
  object: "chat.completion",
  choices: [{ index: 0, message, finish_reason: "stop" }],
  usage,
});

test("OpenAI replies of the wrong shape are malformed UpstreamErrors, not TypeErrors", async () => {
  await withHostile(async (s) => {
    const bodies = [
      completion({ role: "assistant", content: 12345 }),
      completion({ role: "assistant", content: [{ type: "text", text: "hi" }, null] }),
      completion({ role: "assistant", content: null, tool_calls: [{}, null] }),
      completion({
        role: "assistant",
        content: null,
        tool_calls: [{ id: 1, function: { name: "f", arguments: "{}" } }],
      }),
      completion({ role: "assistant", content: "x", tool_calls: "f()" }),
      { choices: [{ index: "0", message: { content: "x" } }] },
      { choices: [null] },
      { choices: [{ message: { content: "x" }, finish_reason: 7 }] },
      [1, 2],
    ];
    for (const body of bodies) {
      s.behaviour = { kind: "json", body };
      await assert.rejects(openai(s).complete(ask), isMalformed, JSON.stringify(body));
    }
    s.behaviour = { kind: "raw", text: "{not json" };
    await assert.rejects(openai(s).complete(ask), isMalformed);
  });
});

test("OpenAI stream chunks of the wrong shape are malformed UpstreamErrors", async () => {
  await withHostile(async (s) => {
    const streams = [
      [{ choices: [{ index: 0, delta: { content: 12345 } }] }],
      [{ choices: [{ index: 0, delta: { tool_calls: [{}, null] } }] }],
      [{ choices: "nope" }],
      [{ choices: [{ index: -1, delta: { content: "x" } }] }],
      [42],
    ];
    for (const events of streams) {
      s.behaviour = { kind: "sse", events: [...events, "[DONE]"] };
      await assert.rejects(collectEvents(openai(s).stream(ask)), isMalformed, JSON.stringify(events));
    }
  });
});

test("usage that is not token counts is estimated and marked, never concatenated or trusted", async () => {
  await withHostile(async (s) => {
    for (const usage of [
      { prompt_tokens: "10", completion_tokens: "5" },
      { prompt_tokens: -10, completion_tokens: 2 },
      { prompt_tokens: 1e308, completion_tokens: 1e308 },
    ]) {
      s.behaviour = { kind: "json", body: completion({ role: "assistant", content: "Paris." }, usage) };
      const ctx = createRunContext({ budget: { tokens: 1_000 } });
      const r = await openai(s).complete(ask, ctx);
      assert.equal(typeof r.usage.total_tokens, "number");
      assert.ok(
        Number.isInteger(r.usage.prompt_tokens) && r.usage.prompt_tokens > 0 && r.usage.prompt_tokens < 100,
        `${JSON.stringify(usage)} → ${r.usage.prompt_tokens}`,
      );
      assert.ok(r.usage.completion_tokens >= 0 && r.usage.completion_tokens < 100);
      assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens);
      assert.equal(ctx.span.children[0]!.attributes.usage_estimated, true);
      assert.ok(ctx.budget.headroom().tokens! > 900, "the budget was charged an estimate, not 1e308");
    }
    // A streamed reply's usage chunk is checked the same way.
    s.behaviour = {
      kind: "sse",
      events: [
        { choices: [{ index: 0, delta: { content: "Paris." }, finish_reason: "stop" }] },
        { choices: [], usage: { prompt_tokens: "10", completion_tokens: "00" } },
        "[DONE]",
      ],
    };
    const ctx = createRunContext();
    const { result } = await collectEvents(openai(s).stream(ask, ctx));
    assert.ok(Number.isInteger(result.usage.prompt_tokens) && result.usage.prompt_tokens < 100);
    assert.equal(ctx.span.children[0]!.attributes.usage_estimated, true);
  });
});

test("Anthropic replies and events of the wrong shape are malformed UpstreamErrors; bad usage is estimated", async () => {
  await withHostile(async (s) => {
    const message = (content: unknown, usage: unknown = { input_tokens: 10, output_tokens: 2 }) => ({
      id: "msg",
      type: "message",
      role: "assistant",
      model: "m",
      content,
      stop_reason: "end_turn",
      usage,
    });
    for (const content of [
      [{ type: "text", text: 12345 }],
      [{ type: "text", text: "hi" }, null],
      [{ type: "tool_use" }],
      12345,
    ]) {
      s.behaviour = { kind: "json", body: message(content) };
      await assert.rejects(anthropic(s).complete(ask), isMalformed, JSON.stringify(content));
    }
    s.behaviour = {
      kind: "json",
      body: message([{ type: "text", text: "Paris." }], {
        input_tokens: "10",
        output_tokens: 1e308,
        cache_read_input_tokens: -1,
      }),
    };
    const ctx = createRunContext();
    const r = await anthropic(s).complete(ask, ctx);
    assert.equal(r.choices[0]!.message.content, "Paris.");
    assert.ok(r.usage.prompt_tokens > 0 && r.usage.prompt_tokens < 100 && r.usage.completion_tokens < 100);
    assert.equal(ctx.span.children[0]!.attributes.usage_estimated, true);

    const start = {
      type: "message_start",
      message: { id: "msg", model: "m", usage: { input_tokens: 10, output_tokens: 0 } },
    };
    for (const bad of [
      { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: 12345 } },
      { type: "content_block_start", index: 0, content_block: { type: "tool_use" } },
      null,
    ]) {
      s.behaviour = { kind: "sse", events: [start, bad, { type: "message_stop" }] };
      await assert.rejects(collectEvents(anthropic(s).stream(ask)), isMalformed, JSON.stringify(bad));
    }
  });
});

test("a malformed reply is not retried as if the upstream were down", async () => {
  await withHostile(async (s) => {
    s.behaviour = { kind: "json", body: completion({ role: "assistant", content: 12345 }) };
    const lm: LM = openaiLM({ model: "m", baseURL: s.url, retry: { baseDelayMs: 1 } });
    await assert.rejects(lm.complete(ask), isMalformed);
    assert.equal(s.posts, 1);
  });
});
