import assert from "node:assert/strict";
import { createServer } from "node:net";
import { test } from "node:test";
import { estimatePromptTokens } from "../accounting/estimate-tokens.ts";
import { createRunContext } from "../core/context.ts";
import { AbortedError } from "../core/errors/aborted-error.ts";
import { UpstreamError } from "../core/errors/upstream-error.ts";
import type { ChatRequest, RunContext } from "../core/types.ts";
import { startOpenAITestServer } from "../testing/openai-test-server.ts";
import { scopedServer } from "../testing/scoped-server.ts";
import type { Span } from "../trace/span.ts";
import { defineProvider } from "./define-provider.ts";
import { openaiLM } from "./openai/openai-lm.ts";
import type { ProviderDriver } from "./provider-driver.ts";

// Calls that end without a result: what the accounting path charges for them (mayBeBilled).
const ask: ChatRequest = { messages: [{ role: "user", content: "Write a long essay about the sea." }] };
const PROMPT = estimatePromptTokens(ask);
const price = { "openai:m": { input: 1000, output: 2000 } };
const withServer = scopedServer(startOpenAITestServer);

const lmSpans = (ctx: RunContext): Span[] => ctx.span.children.filter((s) => s.kind === "lm");

/** Aborts `controller` once the server has received `count` requests (the call was sent). */
async function abortWhenSent(server: { requests: unknown[] }, controller: AbortController, count = 1) {
  while (server.requests.length < count) await new Promise((r) => setTimeout(r, 5));
  controller.abort();
}

/** A driver of one plain complete(), no capabilities. */
const fakeDriver = (complete: ProviderDriver["complete"]): ProviderDriver => ({
  provider: "fake",
  model: "m",
  capabilities: { nativeN: false, logprobs: false, tools: false, streaming: false, constrainedOutput: false },
  complete,
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address() as { port: number };
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

test("a non-streamed call the caller aborts mid-generation is charged one call and the prompt estimate", async () => {
  await withServer({ behaviour: { delayMs: 5_000 } }, async (server) => {
    const controller = new AbortController();
    const ctx = createRunContext({ signal: controller.signal });
    const lm = openaiLM({ model: "m", baseURL: server.url, prices: price });
    const call = lm.complete(ask, ctx);
    await abortWhenSent(server, controller);
    await assert.rejects(call, (e) => AbortedError.isInstance(e));
    assert.equal(ctx.budget.used.calls, 1);
    assert.equal(ctx.budget.used.tokens, PROMPT);
    assert.ok(ctx.budget.used.cost_usd > 0, "priced at the model's price");
    const [span] = lmSpans(ctx);
    assert.equal(span!.own.calls, 1);
    assert.equal(span!.own.prompt_tokens, PROMPT);
    assert.equal(span!.own.completion_tokens, 0);
    assert.equal(span!.attributes.usage_estimated, true);
    assert.equal(span!.status, "error");
    assert.equal(ctx.span.total.calls, 1, "the run's total has it: a key's ledger settles from it");
  });
});

test("a streamed call aborted before its first token is charged too", async () => {
  await withServer({ behaviour: { delayMs: 5_000 } }, async (server) => {
    const controller = new AbortController();
    const ctx = createRunContext({ signal: controller.signal });
    const lm = openaiLM({ model: "m", baseURL: server.url });
    const read = (async () => {
      for await (const _ of lm.stream(ask, ctx));
    })();
    await abortWhenSent(server, controller);
    await assert.rejects(read, (e) => AbortedError.isInstance(e));
    assert.deepEqual([ctx.budget.used.calls, ctx.budget.used.tokens], [1, PROMPT]);
    assert.equal(lmSpans(ctx)[0]!.attributes.usage_estimated, true);
  });
});

test("a request timeout is charged as a cut-off call; an HTTP error answer is not charged", async () => {
  await withServer({ behaviour: { delayMs: 5_000 } }, async (server) => {
    const ctx = createRunContext();
    const lm = openaiLM({ model: "m", baseURL: server.url, timeoutMs: 100, retry: { retries: 0 } });
    await assert.rejects(lm.complete(ask, ctx), (e) => UpstreamError.isInstance(e) && e.failure === "timeout");
    assert.deepEqual([ctx.budget.used.calls, ctx.budget.used.tokens], [1, PROMPT]);
  });
  await withServer({ behaviour: { failFirst: { count: 10, status: 500 } } }, async (server) => {
    const ctx = createRunContext();
    const lm = openaiLM({ model: "m", baseURL: server.url, retry: { retries: 2, baseDelayMs: 1 } });
    await assert.rejects(lm.complete(ask, ctx), (e) => UpstreamError.isInstance(e) && e.status === 500);
    assert.equal(server.requests.length, 3, "three attempts, each answered 500");
    assert.deepEqual(ctx.budget.used, { tokens: 0, calls: 0, cost_usd: 0 });
    assert.equal(lmSpans(ctx)[0]!.attributes.usage_estimated, undefined);
  });
});

test("a 500 and then an answer: only the answer is charged", async () => {
  await withServer({ behaviour: { failFirst: { count: 1, status: 500 } } }, async (server) => {
    const ctx = createRunContext();
    const lm = openaiLM({ model: "m", baseURL: server.url, retry: { retries: 1, baseDelayMs: 1 } });
    const r = await lm.complete(ask, ctx);
    assert.equal(server.requests.length, 2);
    assert.equal(ctx.budget.used.calls, 1);
    assert.equal(ctx.budget.used.tokens, server.reported[0]!.prompt_tokens + server.reported[0]!.completion_tokens);
    assert.equal(r.usage.calls, 1);
  });
});

test("an attempt that timed out and a retry that answered: the answer's usage plus the estimate of the cut-off attempt", async () => {
  // The first answer takes 2 s, past the 150 ms timeout; the second comes at once.
  const reply = async (_r: unknown, index: number) => {
    if (index === 0) await new Promise((r) => setTimeout(r, 2_000));
    return "The sea is wide.";
  };
  await withServer({ reply }, async (server) => {
    const ctx = createRunContext();
    const lm = openaiLM({ model: "m", baseURL: server.url, timeoutMs: 150, retry: { retries: 1, baseDelayMs: 1 } });
    const r = await lm.complete(ask, ctx);
    assert.equal(r.choices[0]!.message.content, "The sea is wide.");
    assert.equal(server.requests.length, 2);
    const paid = server.reported.at(-1)!;
    assert.equal(ctx.budget.used.calls, 2, "the timed-out attempt and the answer");
    assert.equal(ctx.budget.used.tokens, PROMPT + paid.prompt_tokens + paid.completion_tokens);
    const span = lmSpans(ctx)[0]!;
    assert.equal(span.attributes.usage_estimated, true);
    assert.deepEqual(
      span.events.map((e) => e.name),
      ["cut_off", "retry"],
    );
    // What the call returns as its own usage is the answer's; the trace has both.
    assert.equal(r.usage.calls, 1);
    assert.equal(ctx.span.total.calls, 2);
  });
});

test("after a charged cut-off, a retry the budget cannot hold is not made", async () => {
  await withServer({ behaviour: { delayMs: 5_000 } }, async (server) => {
    const ctx = createRunContext({ budget: { calls: 1 } });
    const lm = openaiLM({ model: "m", baseURL: server.url, timeoutMs: 100, retry: { retries: 3, baseDelayMs: 1 } });
    await assert.rejects(lm.complete(ask, ctx), (e) => UpstreamError.isInstance(e) && e.failure === "timeout");
    assert.equal(server.requests.length, 1, "no second call past the calls budget");
    assert.equal(ctx.budget.used.calls, 1);
    assert.ok(lmSpans(ctx)[0]!.events.some((e) => e.name === "retry_skipped"));
  });
});

test("a connection refused was never sent and is not charged; one dropped after sending is", async () => {
  const port = await closedPort();
  const refused = createRunContext();
  const lm = openaiLM({ model: "m", baseURL: `http://127.0.0.1:${port}/v1`, retry: { retries: 0 } });
  await assert.rejects(lm.complete(ask, refused), (e) => UpstreamError.isInstance(e) && e.failure === "connection");
  assert.deepEqual(refused.budget.used, { tokens: 0, calls: 0, cost_usd: 0 });

  await withServer({ behaviour: { dropConnection: true } }, async (server) => {
    const ctx = createRunContext();
    const lm = openaiLM({ model: "m", baseURL: server.url, retry: { retries: 0 } });
    await assert.rejects(lm.complete(ask, ctx), (e) => UpstreamError.isInstance(e) && e.failure === "connection");
    assert.equal(server.requests.length, 1);
    assert.deepEqual([ctx.budget.used.calls, ctx.budget.used.tokens], [1, PROMPT]);
  });
});

test("a call aborted while it waits for a concurrency slot, or refused by the budget, is not charged", async () => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let sent = 0;
  const busy = fakeDriver(async () => {
    sent++;
    await held;
    return {
      choices: [{ index: 0, message: { role: "assistant", content: "done" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 1, completion_tokens: 1 },
    };
  });
  const lm = defineProvider(busy, { limiter: 1 });
  const first = lm.complete(ask);
  const controller = new AbortController();
  const queued = createRunContext({ signal: controller.signal });
  const second = lm.complete(ask, queued);
  setTimeout(() => controller.abort(), 20);
  await assert.rejects(second, (e) => AbortedError.isInstance(e));
  assert.equal(sent, 1);
  assert.deepEqual(queued.budget.used, { tokens: 0, calls: 0, cost_usd: 0 });
  release();
  await first;

  const poor = createRunContext({ budget: { tokens: 3 } });
  await assert.rejects(lm.complete(ask, poor));
  assert.deepEqual(poor.budget.used, { tokens: 0, calls: 0, cost_usd: 0 });
});

test("a driver's own error before sending (not an upstream failure) is not charged; one cut by a timeout is", async () => {
  const invalid = createRunContext();
  await assert.rejects(
    defineProvider(
      fakeDriver(async () => {
        throw new TypeError("unsupported setting");
      }),
    ).complete(ask, invalid),
    TypeError,
  );
  assert.equal(invalid.budget.used.calls, 0);
  // A driver that rejects with a plain error when its signal fires (a custom driver, a local model).
  const hung = createRunContext();
  const slow = fakeDriver(
    (_r, o) =>
      new Promise((_resolve, reject) => o.signal.addEventListener("abort", () => reject(new Error("stopped")))),
  );
  await assert.rejects(
    defineProvider(slow, { timeoutMs: 30, retry: { retries: 0 } }).complete(ask, hung),
    (e) => UpstreamError.isInstance(e) && e.failure === "timeout",
  );
  assert.equal(hung.budget.used.calls, 1);
});

test("a 2xx reply lmx cannot use (malformed) was generated and is charged; it is not retried", async () => {
  await withServer({ behaviour: { malformed: "invalid-json" } }, async (server) => {
    const ctx = createRunContext();
    const lm = openaiLM({ model: "m", baseURL: server.url, retry: { retries: 2, baseDelayMs: 1 } });
    await assert.rejects(lm.complete(ask, ctx), (e) => UpstreamError.isInstance(e) && e.failure === "malformed");
    assert.equal(server.requests.length, 1);
    assert.deepEqual([ctx.budget.used.calls, ctx.budget.used.tokens], [1, PROMPT]);
  });
});
