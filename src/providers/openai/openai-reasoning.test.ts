import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { Budget } from "../../budget/budget.ts";
import { SqliteCache } from "../../cache/sqlite-cache.ts";
import { completionCap } from "../completion-cap.ts";
import { holdBudget } from "../hold-budget.ts";
import { createRunContext } from "../../core/context.ts";
import { UpstreamError } from "../../core/errors/upstream-error.ts";
import type { ChatRequest } from "../../core/types.ts";
import { collectEvents } from "../../testing/collect-events.ts";
import { startOpenAITestServer } from "../../testing/openai-test-server.ts";
import { scopedServer } from "../../testing/scoped-server.ts";
import { openaiLM } from "./openai-lm.ts";

const withServer = scopedServer(startOpenAITestServer);
const ask: ChatRequest = { messages: [{ role: "user", content: "What is 6 times 7?" }] };
const thought = { content: "42", reasoning_content: "six sevens: 7, 14, 21, 28, 35, 42", reasoning_tokens: 30 };

test("reasoning_effort and max_completion_tokens reach the upstream under OpenAI's names", async () => {
  await withServer({ reply: () => thought }, async (server) => {
    const lm = openaiLM({ model: "o-test", baseURL: server.url });
    await lm.complete({ ...ask, reasoning_effort: "high", max_completion_tokens: 500 });
    const body = server.requests[0]!.body;
    assert.equal(body.reasoning_effort, "high");
    assert.equal(body.max_completion_tokens, 500);
    assert.equal(body.max_tokens, undefined);
    // A budget's cap on a reasoning request goes out as max_completion_tokens too (reasoning models reject max_tokens).
    await lm.complete({ ...ask, reasoning_effort: "low" }, createRunContext({ budget: { tokens: 300 } }));
    const capped = server.requests[1]!.body;
    assert.equal(capped.max_tokens, undefined);
    assert.ok(
      capped.max_completion_tokens > 0 && capped.max_completion_tokens < 300,
      String(capped.max_completion_tokens),
    );
  });
});

test("reasoning_content and reasoning tokens come back apart from the answer, complete and streamed", async () => {
  await withServer({ reply: () => thought }, async (server) => {
    const lm = openaiLM({ model: "o-test", baseURL: server.url });
    const ctx = createRunContext();
    const r = await lm.complete(ask, ctx);
    assert.equal(r.choices[0]!.message.content, "42");
    assert.equal(r.choices[0]!.message.reasoning_content, thought.reasoning_content);
    assert.equal(r.usage.reasoning_tokens, 30);
    assert.equal(r.usage.completion_tokens, 31);
    assert.equal(ctx.span.total.reasoning_tokens, 30, "rolls up the trace");
    assert.deepEqual(ctx.span.children[0]!.attributes.reasoning, [thought.reasoning_content], "the trace keeps it");

    const { deltas, result } = await collectEvents(lm.stream(ask, ctx));
    assert.equal(deltas.map((d) => d.reasoning ?? "").join(""), thought.reasoning_content);
    assert.equal(deltas.map((d) => d.content ?? "").join(""), "42");
    assert.ok(deltas.filter((d) => d.reasoning).length > 3, "reasoning streamed in pieces");
    assert.equal(result.choices[0]!.message.reasoning_content, thought.reasoning_content);
    assert.equal(result.usage.reasoning_tokens, 30);
    assert.equal(ctx.span.total.reasoning_tokens, 60);
    assert.equal(ctx.span.total.calls, 2);
  });
});

test("reasoning tokens count against token budgets and cost (they are completion tokens)", async () => {
  await withServer({ reply: () => ({ ...thought, reasoning_tokens: 900, completion_tokens: 901 }) }, async (server) => {
    const lm = openaiLM({
      model: "o-test",
      baseURL: server.url,
      prices: { "openai:o-test": { input: 0, output: 1_000_000 } },
    });
    const ctx = createRunContext({ budget: { tokens: 1500 } });
    const r = await lm.complete(ask, ctx);
    assert.equal(r.usage.reasoning_tokens, 900);
    assert.equal(r.usage.cost_usd, 901);
    assert.ok(ctx.budget.used.tokens >= 901);
    // The second call cannot afford another 900 reasoning tokens: it is capped, then the budget is spent.
    await assert.rejects(async () => {
      for (let i = 0; i < 3; i++) await lm.complete(ask, ctx);
    }, /budget/i);
  });
});

test("reasoning tokens are validated: not a count, or more than the completion, is cut to what can be true", async () => {
  const replies = [
    { content: "42", reasoning_tokens: "lots" as unknown as number },
    { content: "42", completion_tokens: 5, reasoning_tokens: 1_000_000 },
  ];
  await withServer({ reply: (_r, i) => replies[i]! }, async (server) => {
    const lm = openaiLM({ model: "o-test", baseURL: server.url });
    const bad = await lm.complete(ask);
    assert.equal(bad.usage.reasoning_tokens, undefined);
    const over = await lm.complete(ask);
    assert.equal(over.usage.reasoning_tokens, 5);
  });
});

test("a reasoning_content that is not a string is a malformed reply", async () => {
  await withServer({ reply: () => ({ content: "42", extra: { reasoning_content: { steps: 3 } } }) }, async (server) => {
    const lm = openaiLM({ model: "o-test", baseURL: server.url, retry: { retries: 0 } });
    await assert.rejects(lm.complete(ask), (e) => UpstreamError.isInstance(e) && e.failure === "malformed");
  });
});

test("a local server's <think> block is split off the content, complete and streamed", async () => {
  const content = "<think>\nmaybe 41? no: 6*7 = 42\n</think>\n\nThe answer is 42.";
  await withServer({ reply: () => content }, async (server) => {
    const lm = openaiLM({ model: "qwen3", baseURL: server.url });
    const r = await lm.complete(ask);
    assert.equal(r.choices[0]!.message.content, "The answer is 42.");
    assert.equal(r.choices[0]!.message.reasoning_content, "\nmaybe 41? no: 6*7 = 42\n");
    const { deltas, result } = await collectEvents(lm.stream(ask));
    assert.equal(deltas.map((d) => d.content ?? "").join(""), "The answer is 42.");
    assert.equal(deltas.map((d) => d.reasoning ?? "").join(""), "\nmaybe 41? no: 6*7 = 42\n");
    assert.equal(result.choices[0]!.message.content, "The answer is 42.");
  });
});

test("reasoning_content of earlier turns is not sent back upstream (DeepSeek rejects it)", async () => {
  await withServer({ reply: () => thought }, async (server) => {
    const lm = openaiLM({ model: "o-test", baseURL: server.url });
    const first = await lm.complete(ask);
    await lm.complete({ messages: [...ask.messages, first.choices[0]!.message, { role: "user", content: "Sure?" }] });
    const sent = server.requests[1]!.body.messages[1];
    assert.equal(sent.content, "42");
    assert.equal(sent.reasoning_content, undefined);
  });
});

test("a cached sample replays its reasoning and reasoning tokens exactly", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "lmx-reasoning-cache-"));
  const cache = SqliteCache.open({ path: path.join(dir, "cache.sqlite") });
  try {
    await withServer({ reply: () => thought }, async (server) => {
      const lm = openaiLM({ model: "o-test", baseURL: server.url, cache });
      const first = await lm.complete({ ...ask, n: 2, seed: 1 });
      const again = await lm.complete({ ...ask, n: 2, seed: 1 });
      assert.equal(server.requests.length, 1, "the second run came from the cache");
      assert.equal(again.usage.cache_hits, 2);
      // Nothing paid now; the replayed samples' original reasoning tokens are kept with their usage.
      assert.equal(again.usage.reasoning_tokens, undefined);
      assert.equal(again.usage.replayed?.reasoning_tokens, first.usage.reasoning_tokens);
      assert.equal(first.usage.reasoning_tokens, 60);
      assert.equal(again.choices[1]!.message.reasoning_content, thought.reasoning_content);
    });
  } finally {
    cache.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("max_completion_tokens is the cap the budget holds, as max_tokens is", async () => {
  const budget = new Budget({ tokens: 1000 });
  const request: ChatRequest = { ...ask, reasoning_effort: "high", max_completion_tokens: 50 };
  const hold = await holdBudget({
    id: "openai:test-model",
    budget,
    promptTokens: 10,
    n: 1,
    asked: completionCap(request),
  });
  assert.equal(budget.headroom().tokens, 1000 - 60, "held the prompt and 50 completion tokens, not the whole budget");
  assert.equal(hold.maxTokens, undefined, "50 fits: nothing to cap");
  hold.release();
});

test("a reasoning_effort that is not one of OpenAI's levels is an InvalidRequestError, not an upstream call", async () => {
  await withServer({}, async (server) => {
    const lm = openaiLM({ model: "o-test", baseURL: server.url });
    await assert.rejects(
      lm.complete({ ...ask, reasoning_effort: "max" as "high" }),
      (e: any) => e.param === "reasoning_effort" && /one of none, minimal/.test(e.message),
    );
    assert.equal(server.requests.length, 0);
  });
});

test("a stream cut off while the model reasons is charged for the reasoning it streamed", async () => {
  const long = { content: "42", reasoning_content: "think ".repeat(400) };
  await withServer({ reply: () => long, behaviour: { dropAfterEvents: 300 } }, async (server) => {
    const lm = openaiLM({ model: "o-test", baseURL: server.url, retry: { retries: 0 } });
    const ctx = createRunContext();
    let reasoning = "";
    await assert.rejects(async () => {
      for await (const e of lm.stream(ask, ctx)) if (e.type === "delta") reasoning += e.reasoning ?? "";
    });
    assert.ok(reasoning.length > 1000, "reasoning was streamed before the cut");
    assert.ok(
      ctx.span.total.completion_tokens >= Math.floor(reasoning.length / 4) - 1,
      `charged ${ctx.span.total.completion_tokens} completion tokens for ${reasoning.length} characters`,
    );
  });
});
