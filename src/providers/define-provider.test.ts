import assert from "node:assert/strict";
import { test } from "node:test";
import { Budget } from "../budget/budget.ts";
import { createRunContext } from "../core/context.ts";
import { BudgetExceededError } from "../core/errors/budget-error.ts";
import { UpstreamError } from "../core/errors/upstream-error.ts";
import { AbortedError } from "../core/errors/aborted-error.ts";
import { resultText } from "../core/messages.ts";
import { defineProvider, deriveSeed } from "./define-provider.ts";
import type { ProviderDriver } from "./provider-driver.ts";
import { scriptedLM } from "./scripted/scripted-lm.ts";
import { selfRefine } from "../techniques/iterate/self-refine.ts";

const ask = { messages: [{ role: "user" as const, content: "What is 2+2?" }] };

test("usage of every call adds up the trace tree", async () => {
  const lm = scriptedLM((_r, { sampleIndex }) => `answer ${sampleIndex}`);
  const ctx = createRunContext();
  const a = await lm.complete(ask, ctx);
  const b = await lm.complete({ ...ask, n: 3 }, { ...ctx, sampleOffset: 5 });
  assert.deepEqual(
    b.choices.map((c) => c.message.content),
    ["answer 5", "answer 6", "answer 7"],
  );
  assert.equal(ctx.span.children.length, 2);
  assert.equal(ctx.span.total.calls, 2);
  assert.equal(ctx.span.total.completion_tokens, a.usage.completion_tokens + b.usage.completion_tokens);
  assert.equal(ctx.span.total.prompt_tokens, a.usage.prompt_tokens + b.usage.prompt_tokens);
  assert.equal(a.trace_id, ctx.span.traceId);
});

test("a call that would exceed the budget is not made", async () => {
  const lm = scriptedLM(() => "fine");
  const ctx = createRunContext({ budget: { calls: 2 } });
  await lm.complete(ask, ctx);
  await lm.complete(ask, ctx);
  await assert.rejects(lm.complete(ask, ctx), (e) => BudgetExceededError.isInstance(e) && e.limit === "calls");
  assert.equal(lm.calls.length, 2);
});

test("max_tokens is capped to the tokens still affordable", async () => {
  const lm = scriptedLM(() => "ok");
  const ctx = createRunContext({ budget: { tokens: 100 } });
  await lm.complete({ ...ask, max_tokens: 1000 }, ctx);
  const sent = lm.calls[0]!.max_tokens!;
  assert.ok(sent < 100 && sent > 50, `max_tokens sent was ${sent}`);
});

test("a driver rejecting n falls back to concurrent single calls with distinct seeds", async () => {
  const seen: { n?: number; seed?: number }[] = [];
  const driver: ProviderDriver = {
    provider: "fake",
    model: "m",
    capabilities: { nativeN: true, logprobs: false, tools: false, streaming: false, constrainedOutput: false },
    async complete(request, o) {
      seen.push({ n: request.n, seed: o.seed });
      if ((request.n ?? 1) > 1)
        throw new UpstreamError({ provider: "fake", failure: "http", status: 400, message: "n is not supported" });
      return {
        choices: [{ index: 0, message: { role: "assistant", content: `s${o.sampleIndex}` }, finish_reason: "stop" }],
        usage: { prompt_tokens: 3, completion_tokens: 1 },
      };
    },
  };
  const lm = defineProvider(driver);
  const r = await lm.complete({ ...ask, n: 3 }, createRunContext({ seed: 42 }));
  assert.deepEqual(
    r.choices.map((c) => c.message.content),
    ["s0", "s1", "s2"],
  );
  const seeds = seen.filter((s) => s.n === 1).map((s) => s.seed);
  assert.equal(new Set(seeds).size, 3);
  assert.equal(seeds[0], 42);
  assert.equal(r.usage.calls, 3, "the rejected call made no usage");
});

test("retryable failures are retried and recorded as span events", async () => {
  let attempts = 0;
  const driver: ProviderDriver = {
    provider: "flaky",
    model: "m",
    capabilities: { nativeN: false, logprobs: false, tools: false, streaming: false, constrainedOutput: false },
    async complete() {
      if (attempts++ < 2) throw new UpstreamError({ provider: "flaky", failure: "http", status: 503, message: "busy" });
      return {
        choices: [{ index: 0, message: { role: "assistant", content: "done" }, finish_reason: "stop" }],
        usage: { prompt_tokens: 1, completion_tokens: 1 },
      };
    },
  };
  const ctx = createRunContext();
  const r = await defineProvider(driver, { retry: { baseDelayMs: 1 } }).complete(ask, ctx);
  assert.equal(resultText(r), "done");
  assert.equal(ctx.span.children[0]!.events.filter((e) => e.name === "retry").length, 2);
});

test("a hung upstream times out with a typed error; a caller abort is an AbortedError", async () => {
  const driver: ProviderDriver = {
    provider: "slow",
    model: "m",
    capabilities: { nativeN: false, logprobs: false, tools: false, streaming: false, constrainedOutput: false },
    complete: (_r, o) =>
      new Promise((_res, rej) => o.signal.addEventListener("abort", () => rej(new Error("aborted by signal")))),
  };
  const lm = defineProvider(driver, { timeoutMs: 20, retry: { retries: 0 } });
  await assert.rejects(lm.complete(ask), (e) => UpstreamError.isInstance(e) && e.failure === "timeout");
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 10);
  const lm2 = defineProvider(driver, { timeoutMs: 5000 });
  await assert.rejects(lm2.complete(ask, createRunContext({ signal: controller.signal })), (e) =>
    AbortedError.isInstance(e),
  );
});

test("streaming yields deltas and one result with usage", async () => {
  const lm = scriptedLM(() => "one two three");
  let text = "";
  let final;
  for await (const e of lm.stream(ask)) {
    if (e.type === "delta") text += e.content ?? "";
    if (e.type === "result") final = e.result;
  }
  assert.equal(text, "one two three");
  assert.equal(final!.usage.completion_tokens, 3);
  assert.equal(final!.usage.calls, 1);
});

test("sub-budgets charge their parents", () => {
  const parent = new Budget({ calls: 3 });
  const child = parent.sub({ calls: 10 });
  child.charge({ calls: 3 });
  assert.throws(
    () => child.check({ prompt_tokens: 1 }),
    (e) => BudgetExceededError.isInstance(e),
  );
});

test("derived seeds are distinct and reproducible", () => {
  const seeds = Array.from({ length: 50 }, (_, i) => deriveSeed(7, i));
  assert.equal(new Set(seeds).size, 50);
  assert.deepEqual(
    seeds,
    Array.from({ length: 50 }, (_, i) => deriveSeed(7, i)),
  );
});

test("a stream whose budget affords no completion tokens makes no call", async () => {
  const lm = scriptedLM(() => "never sent");
  const ctx = createRunContext({ budget: { tokens: 5 } });
  await assert.rejects(
    async () => {
      for await (const _ of lm.stream({ messages: [{ role: "user", content: "x".repeat(16) }] }, ctx));
    },
    (e) => BudgetExceededError.isInstance(e),
  );
  assert.equal(lm.calls.length, 0);
});

test("a time budget running out during a call stops it with a BudgetExceededError, not a retried timeout", async () => {
  const lm = scriptedLM(() => "late", { latencyMs: 5_000, retry: { baseDelayMs: 1 } });
  const ctx = createRunContext({ budget: { time_ms: 50 } });
  await assert.rejects(lm.complete(ask, ctx), (e) => BudgetExceededError.isInstance(e) && e.limit === "time_ms");
  assert.equal(lm.calls.length, 1, "the call cut short by the budget was not retried");
  assert.equal(ctx.span.children[0]!.status, "error");
});

test("a retry that would have to wait past the time budget is not waited for", async () => {
  let attempts = 0;
  const driver: ProviderDriver = {
    provider: "limited",
    model: "m",
    capabilities: { nativeN: false, logprobs: false, tools: false, streaming: false, constrainedOutput: false },
    async complete() {
      attempts++;
      throw new UpstreamError({
        provider: "limited",
        failure: "http",
        status: 429,
        retryAfter: 30,
        message: "slow down",
      });
    },
  };
  const ctx = createRunContext({ budget: { time_ms: 2_000 } });
  // The upstream's own 429 comes back at once, with its Retry-After, for a proxy to pass on.
  await assert.rejects(
    defineProvider(driver).complete(ask, ctx),
    (e) => UpstreamError.isInstance(e) && e.status === 429 && e.retryAfter === 30,
  );
  assert.equal(attempts, 1, "it gave up instead of sleeping 30 s for a second attempt");
});

test("a technique stopped by its time budget mid-call returns its best answer with finish_reason budget", async () => {
  const base = scriptedLM(() => "The answer is 4.", { latencyMs: 150 });
  const ctx = createRunContext({ budget: { time_ms: 400 } });
  const r = await selfRefine(base, { rounds: 5 }).complete(ask, ctx);
  assert.equal(r.choices[0]!.finish_reason, "budget");
  assert.equal(resultText(r), "The answer is 4.");
});

test("a call waiting for budget room held by another call gives up on abort", async () => {
  const lm = scriptedLM(() => "slow answer", { latencyMs: 200 });
  const controller = new AbortController();
  const ctx = createRunContext({ budget: { tokens: 100 }, signal: controller.signal });
  // The first call may use every token left, so the second has to wait for it.
  const first = lm.complete(ask, createRunContext({ budget: ctx.budget }));
  const second = lm.complete(ask, ctx);
  setTimeout(() => controller.abort(), 20);
  await assert.rejects(second, (e) => AbortedError.isInstance(e));
  assert.equal(resultText(await first), "slow answer");
  assert.equal(lm.calls.length, 1);
});

test("a call queued behind the concurrency limit gives up when its time budget runs out", async () => {
  let unblock!: () => void;
  let entered!: () => void;
  const blocked = new Promise<void>((resolve) => (unblock = resolve));
  const busy = new Promise<void>((resolve) => (entered = resolve));
  const driver: ProviderDriver = {
    provider: "busy",
    model: "m",
    capabilities: { nativeN: false, logprobs: false, tools: false, streaming: false, constrainedOutput: false },
    async complete() {
      entered();
      await blocked;
      return {
        choices: [{ index: 0, message: { role: "assistant", content: "done" }, finish_reason: "stop" }],
        usage: { prompt_tokens: 1, completion_tokens: 1 },
      };
    },
  };
  const lm = defineProvider(driver, { limiter: 1 });
  const first = lm.complete(ask);
  await busy;
  // If the queued call never gives up, the slot frees after 3 s and the assertion below fails.
  const fallback = setTimeout(unblock, 3_000);
  const queued = lm.complete(ask, createRunContext({ budget: { time_ms: 50 } }));
  await assert.rejects(queued, (e) => BudgetExceededError.isInstance(e) && e.limit === "time_ms");
  clearTimeout(fallback);
  unblock();
  assert.equal(resultText(await first), "done");
});

test("a token budget too small for n samples in one call still returns the samples it can pay for", async () => {
  // A model that stops at max_tokens, as real ones do.
  const lm = scriptedLM((r) => ({
    content: Array.from({ length: Math.min(8, r.max_tokens ?? 8) }, () => "w").join(" "),
  }));
  const question = { messages: [{ role: "user" as const, content: "Name a word." }] };
  // The prompt is ~7 tokens: 3 are left, not one per sample for 4 samples in one call, but enough for one.
  const ctx = createRunContext({ budget: { tokens: 10 } });
  const r = await lm.complete({ ...question, n: 4 }, ctx);
  assert.equal(r.choices.length, 1);
  assert.ok(ctx.budget.used.tokens <= 10, `spent ${ctx.budget.used.tokens} of 10 tokens`);
});

test("usage from any driver is checked on the accounting path: no string or 1e308 count reaches a budget", async () => {
  const driver: ProviderDriver = {
    provider: "sloppy",
    model: "m",
    capabilities: { nativeN: false, logprobs: false, tools: false, streaming: true, constrainedOutput: false },
    async complete() {
      return {
        choices: [{ index: 0, message: { role: "assistant", content: "four" }, finish_reason: "stop" }],
        usage: { prompt_tokens: "10" as unknown as number, completion_tokens: 1e308 },
      };
    },
    async *stream() {
      yield { type: "delta", index: 0, content: "four" };
      yield {
        type: "done",
        result: {
          choices: [{ index: 0, message: { role: "assistant", content: "four" }, finish_reason: "stop" }],
          usage: { prompt_tokens: -4, completion_tokens: 2 },
        },
      };
    },
  };
  const lm = defineProvider(driver);
  const ctx = createRunContext({ budget: { tokens: 1_000 } });
  const r = await lm.complete(ask, ctx);
  assert.ok(Number.isInteger(r.usage.prompt_tokens) && r.usage.prompt_tokens > 0 && r.usage.prompt_tokens < 50);
  assert.ok(r.usage.completion_tokens < 50);
  assert.equal(ctx.span.children[0]!.attributes.usage_estimated, true);
  const streamed = createRunContext({ budget: { tokens: 1_000 } });
  for await (const event of lm.stream(ask, streamed))
    if (event.type === "result")
      assert.ok(event.result.usage.prompt_tokens > 0 && event.result.usage.completion_tokens === 2);
  assert.ok(streamed.budget.headroom().tokens! > 900);
});
