import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import type { ChatRequest } from "../../core/types.ts";
import { collectEvents } from "../../testing/collect-events.ts";
import { startAnthropicTestServer } from "../../testing/anthropic-test-server.ts";
import { scopedServer } from "../../testing/scoped-server.ts";
import { anthropicLM } from "./anthropic-lm.ts";
import { anthropicParams } from "./anthropic-params.ts";

const withServer = scopedServer(startAnthropicTestServer);
const ask: ChatRequest = { messages: [{ role: "user", content: "What is 6 times 7?" }] };
const thought = { content: "42", thinking: "six sevens: 7, 14, 21, 28, 35, 42" };
const base = { model: "claude-test", defaultMaxTokens: 1024, structuredOutput: "instruction" as const };

test("reasoning_effort becomes a thinking budget; lmx's default max_tokens grows to fit; sampling the API forbids is left out", async () => {
  await withServer({ reply: () => thought }, async (server) => {
    const lm = anthropicLM({ model: "claude-test", baseURL: server.url, apiKey: "k" });
    const r = await lm.complete({ ...ask, reasoning_effort: "medium", temperature: 0.3, top_p: 0.5, top_k: 5 });
    const body = server.requests[0]!.body;
    assert.deepEqual(body.thinking, { type: "enabled", budget_tokens: 8192 });
    assert.equal(body.max_tokens, 1024 + 8192);
    assert.equal(body.temperature, undefined);
    assert.equal(body.top_k, undefined);
    assert.equal(body.top_p, 0.95);
    assert.equal(r.choices[0]!.message.content, "42");
    assert.equal(r.choices[0]!.message.reasoning_content, thought.thinking);
    assert.ok(r.usage.reasoning_tokens! > 0 && r.usage.reasoning_tokens! <= r.usage.completion_tokens);
  });
});

test("a caller's or budget's cap is never raised: thinking gets at most half, and none when that is under 1024", async () => {
  await withServer({ reply: () => thought }, async (server) => {
    const lm = anthropicLM({ model: "claude-test", baseURL: server.url, apiKey: "k" });
    await lm.complete({ ...ask, reasoning_effort: "high", max_completion_tokens: 5000 });
    assert.equal(server.requests[0]!.body.max_tokens, 5000);
    assert.deepEqual(server.requests[0]!.body.thinking, { type: "enabled", budget_tokens: 2500 });
    await lm.complete(
      { ...ask, reasoning_effort: "high", temperature: 0.2 },
      createRunContext({ budget: { tokens: 1500 } }),
    );
    const small = server.requests[1]!.body;
    assert.ok(small.max_tokens < 1500);
    assert.equal(small.thinking, undefined);
    assert.equal(small.temperature, 0.2);
  });
});

test("effort none, a forced tool choice or the caller's own `thinking` leave the mapping out", () => {
  assert.equal(anthropicParams({ ...base, request: { ...ask, reasoning_effort: "none" } }).thinking, undefined);
  const tools = [{ type: "function" as const, function: { name: "f" } }];
  const forced = anthropicParams({
    ...base,
    request: { ...ask, reasoning_effort: "high", tools, tool_choice: "required" },
  });
  assert.equal(forced.thinking, undefined);
  const own = { type: "enabled", budget_tokens: 3000 };
  const p = anthropicParams({
    ...base,
    request: { ...ask, reasoning_effort: "high", thinking: own, max_tokens: 4000 },
  });
  assert.deepEqual(p.thinking, own);
  assert.equal(p.max_tokens, 4000);
});

test("thinking streams as reasoning deltas apart from the answer text", async () => {
  await withServer({ reply: () => thought }, async (server) => {
    const lm = anthropicLM({ model: "claude-test", baseURL: server.url, apiKey: "k" });
    const ctx = createRunContext();
    const { deltas, result } = await collectEvents(lm.stream({ ...ask, reasoning_effort: "low" }, ctx));
    assert.equal(deltas.map((d) => d.reasoning ?? "").join(""), thought.thinking);
    assert.equal(deltas.map((d) => d.content ?? "").join(""), "42");
    assert.equal(result.choices[0]!.message.content, "42");
    assert.equal(result.choices[0]!.message.reasoning_content, thought.thinking);
    assert.ok(ctx.span.total.reasoning_tokens! > 0);
  });
});

test("a tool loop with thinking sends the signed thinking back first, complete and streamed", async () => {
  const reply = (req: any) =>
    req.messages.at(-1).content.some((b: any) => b.type === "tool_result")
      ? { content: "It is 42.", thinking: "the tool said 42" }
      : { thinking: "I should call the calculator", tool_use: [{ id: "toolu_1", name: "calc", input: { x: "6*7" } }] };
  const tools = [{ type: "function" as const, function: { name: "calc", parameters: { type: "object" } } }];
  await withServer({ reply }, async (server) => {
    const lm = anthropicLM({ model: "claude-test", baseURL: server.url, apiKey: "k" });
    for (const streamed of [false, true]) {
      const request: ChatRequest = { ...ask, tools, reasoning_effort: "low" };
      const first = streamed ? (await collectEvents(lm.stream(request))).result : await lm.complete(request);
      const message = first.choices[0]!.message;
      assert.deepEqual((message as any).anthropic_thinking, [
        { type: "thinking", thinking: "I should call the calculator", signature: "sig-test" },
      ]);
      const call = message.tool_calls![0]!;
      const second = await lm.complete({
        ...request,
        messages: [...ask.messages, message, { role: "tool", tool_call_id: call.id, content: "42" }],
      });
      assert.equal(second.choices[0]!.message.content, "It is 42.");
      const sent = server.requests.at(-1)!.body;
      assert.deepEqual(sent.thinking, { type: "enabled", budget_tokens: 2048 });
      assert.equal(sent.messages[1].content[0].type, "thinking");
      assert.equal(sent.messages[1].content[0].signature, "sig-test");
    }
  });
});

test("a tool-using turn without signed thinking (another model's) is continued with thinking off, not a 400", async () => {
  await withServer({ reply: () => "It is 42." }, async (server) => {
    const lm = anthropicLM({ model: "claude-test", baseURL: server.url, apiKey: "k" });
    const tools = [{ type: "function" as const, function: { name: "calc" } }];
    const r = await lm.complete({
      messages: [
        ...ask.messages,
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c1", type: "function", function: { name: "calc", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "c1", content: "42" },
      ],
      tools,
      reasoning_effort: "high",
    });
    assert.equal(r.choices[0]!.message.content, "It is 42.");
    assert.equal(server.requests[0]!.body.thinking, undefined);
  });
});

test("malformed anthropic_thinking from a client is an InvalidRequestError naming it", async () => {
  await withServer({}, async (server) => {
    const lm = anthropicLM({ model: "claude-test", baseURL: server.url, apiKey: "k" });
    const bad = { role: "assistant" as const, content: "x", anthropic_thinking: [{ type: "thinking", thinking: 1 }] };
    await assert.rejects(
      lm.complete({ messages: [...ask.messages, bad, { role: "user", content: "and?" }] }),
      (e: any) => /anthropic_thinking/.test(e.param ?? ""),
    );
    assert.equal(server.requests.length, 0);
  });
});
