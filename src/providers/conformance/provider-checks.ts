import assert from "node:assert/strict";
import { costOf, lookupPrice } from "../../accounting/prices.ts";
import { createRunContext } from "../../core/context.ts";
import { AbortedError } from "../../core/errors/aborted-error.ts";
import { UpstreamError } from "../../core/errors/upstream-error.ts";
import { resultText } from "../../core/messages.ts";
import type { ChatRequest, ChatResult, LM, StreamEvent } from "../../core/types.ts";
import type { Span } from "../../trace/span.ts";
import type { HarnessRun, ProviderHarness } from "./provider-harness.ts";

/** One property every provider must have where it `applies`; `run` throws an AssertionError when it does not. */
export interface ProviderCheck {
  name: string;
  applies(harness: ProviderHarness, run: HarnessRun): boolean;
  run(harness: ProviderHarness, run: HarnessRun): Promise<void>;
}

const ask: ChatRequest = {
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "What is 2+2?" },
  ],
  max_tokens: 8,
  temperature: 0,
  seed: 1,
};

const hasServer = (_h: ProviderHarness, run: HarnessRun) => run.behaviour !== undefined;

/** Fails the server's next POST request (its failFirst counts requests since it started). */
const failNext = (run: HarnessRun, fault: { status: number; retryAfter?: number; message?: string }) => ({
  failFirst: { count: run.requests!() + 1, ...fault },
});

/** Runs `fn` with `faults` switched on, and off again after. */
async function withFaults<T>(run: HarnessRun, faults: object, fn: () => Promise<T>): Promise<T> {
  Object.assign(run.behaviour!, faults);
  try {
    return await fn();
  } finally {
    for (const key of Object.keys(faults)) delete (run.behaviour as Record<string, unknown>)[key];
  }
}

async function collect(events: AsyncIterable<StreamEvent>): Promise<{ text: string; result: ChatResult }> {
  let text = "";
  let result: ChatResult | undefined;
  for await (const e of events) {
    if (e.type === "delta" && e.index === 0 && e.content) text += e.content;
    if (e.type === "result") result = e.result;
  }
  assert.ok(result, "the stream ended with a result");
  return { text, result };
}

const lmSpans = (root: Span): Span[] =>
  [root, ...root.children.flatMap((c) => lmSpans(c))].filter((s) => s.kind === "lm");

/** A completion and a stream of the same request, for the checks that must hold for both. */
const modes = {
  complete: async (lm: LM, request: ChatRequest, ctx = createRunContext()) => lm.complete(request, ctx),
  stream: async (lm: LM, request: ChatRequest, ctx = createRunContext()) =>
    (await collect(lm.stream(request, ctx))).result,
};

export const providerChecks: ProviderCheck[] = [
  {
    name: "usage: the upstream's counts, one call, priced, and the same on the trace",
    applies: () => true,
    async run(_h, run) {
      const lm = await run.make();
      const ctx = createRunContext();
      const r = await lm.complete(ask, ctx);
      const u = r.usage;
      assert.equal(u.calls, 1);
      assert.ok(u.prompt_tokens > 0 && u.completion_tokens > 0);
      assert.equal(u.total_tokens, u.prompt_tokens + u.completion_tokens);
      if (run.reported) {
        const reported = run.reported().at(-1)!;
        assert.equal(u.prompt_tokens, reported.prompt_tokens);
        assert.equal(u.completion_tokens, reported.completion_tokens);
      }
      assert.equal(u.cost_usd, costOf(lookupPrice(lm.id, run.prices), u));
      assert.equal(ctx.span.total.calls, 1);
      assert.equal(ctx.span.total.cost_usd, u.cost_usd);
      assert.equal(ctx.budget.used.tokens, u.total_tokens);
    },
  },
  {
    name: "n: three samples, natively in one call or split into three",
    applies: () => true,
    async run(h, run) {
      const lm = await run.make();
      const before = run.requests?.();
      const r = await lm.complete({ ...ask, n: 3, temperature: 1 }, createRunContext());
      assert.deepEqual(
        r.choices.map((c) => c.index),
        [0, 1, 2],
      );
      const calls = h.capabilities.nativeN ? 1 : 3;
      assert.equal(r.usage.calls, calls);
      if (before !== undefined) assert.equal(run.requests!() - before, calls);
    },
  },
  {
    name: "stream equals complete: the same text and usage, deltas adding up to the result",
    applies: (h) => h.capabilities.streaming,
    async run(_h, run) {
      const lm = await run.make();
      const complete = await lm.complete(ask, createRunContext());
      const streamed = await collect(lm.stream(ask, createRunContext()));
      assert.equal(streamed.text, resultText(streamed.result));
      assert.equal(resultText(streamed.result), resultText(complete));
      assert.equal(streamed.result.usage.prompt_tokens, complete.usage.prompt_tokens);
      assert.equal(streamed.result.usage.completion_tokens, complete.usage.completion_tokens);
      assert.equal(streamed.result.usage.calls, 1);
      assert.equal(streamed.result.usage.cost_usd, complete.usage.cost_usd);
    },
  },
  {
    name: "abort: a caller's abort ends a slow call at once with AbortedError",
    applies: hasServer,
    async run(_h, run) {
      const lm = await run.make();
      await withFaults(run, { delayMs: 10_000 }, async () => {
        for (const mode of Object.values(modes)) {
          const controller = new AbortController();
          setTimeout(() => controller.abort(), 100);
          const started = performance.now();
          await assert.rejects(mode(lm, ask, createRunContext({ signal: controller.signal })), (e) =>
            AbortedError.isInstance(e),
          );
          // Generous: the call waits 10 s upstream; anything near that would mean the abort did nothing.
          assert.ok(performance.now() - started < 5_000);
        }
      });
    },
  },
  {
    name: "timeout: a silent upstream is a timeout UpstreamError after timeoutMs",
    applies: hasServer,
    async run(_h, run) {
      const lm = await run.make({ timeoutMs: 200, retries: 0 });
      await withFaults(run, { delayMs: 10_000 }, async () => {
        for (const mode of Object.values(modes)) {
          const started = performance.now();
          await assert.rejects(mode(lm, ask), (e) => UpstreamError.isInstance(e) && e.failure === "timeout");
          assert.ok(performance.now() - started < 5_000);
        }
      });
    },
  },
  {
    name: "retry: a 429 with Retry-After is retried after at least that wait, in complete and in stream",
    applies: hasServer,
    async run(_h, run) {
      const lm = await run.make({ retries: 2 });
      for (const mode of Object.values(modes)) {
        await withFaults(run, failNext(run, { status: 429, retryAfter: 1 }), async () => {
          const before = run.requests!();
          const ctx = createRunContext();
          const started = performance.now();
          const r = await mode(lm, ask, ctx);
          assert.ok(resultText(r).length > 0);
          assert.ok(performance.now() - started >= 950, "waited what Retry-After asked");
          assert.equal(run.requests!() - before, 2);
          const retries = lmSpans(ctx.span).flatMap((s) => s.events.filter((e) => e.name === "retry"));
          assert.equal(retries.length, 1);
          assert.ok(Number(retries[0]!.data?.delay_ms) >= 1000);
          assert.equal(r.usage.calls, 1, "a failed attempt is not a paid call");
        });
      }
    },
  },
  {
    name: "error mapping: 400 and 401 are typed, not retried; a broken body is malformed",
    applies: hasServer,
    async run(_h, run) {
      const lm = await run.make({ retries: 3 });
      for (const status of [400, 401]) {
        await withFaults(run, failNext(run, { status, message: "the upstream said no" }), async () => {
          const before = run.requests!();
          await assert.rejects(
            lm.complete(ask, createRunContext()),
            (e) => UpstreamError.isInstance(e) && e.failure === "http" && e.status === status && !e.isRetryable,
          );
          assert.equal(run.requests!() - before, 1, `${status} is not retried`);
        });
      }
      await withFaults(run, { malformed: "invalid-json" }, async () => {
        await assert.rejects(
          lm.complete(ask, createRunContext()),
          (e) => UpstreamError.isInstance(e) && e.failure === "malformed",
        );
      });
    },
  },
  {
    name: "tools: a tool call comes back as an OpenAI-shaped tool_calls entry",
    applies: (h) => h.capabilities.tools && h.scriptable,
    async run(_h, run) {
      const lm = await run.make();
      run.reply = () => ({ tool: { name: "get_weather", arguments: { city: "Paris" } } });
      const request: ChatRequest = {
        ...ask,
        max_tokens: 64,
        tools: [
          {
            type: "function",
            function: {
              name: "get_weather",
              description: "The weather in a city",
              parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
            },
          },
        ],
      };
      for (const mode of Object.values(modes)) {
        const r = await mode(lm, request);
        const call = r.choices[0]!.message.tool_calls?.[0];
        assert.equal(call?.function.name, "get_weather");
        assert.deepEqual(JSON.parse(call!.function.arguments), { city: "Paris" });
        assert.equal(r.choices[0]!.finish_reason, "tool_calls");
      }
    },
  },
  {
    name: "response_format: a JSON answer comes back as parsable JSON",
    applies: (h) => h.scriptable,
    async run(_h, run) {
      const lm = await run.make();
      run.reply = () => ({ content: '{"answer": 4}' });
      const r = await lm.complete({ ...ask, max_tokens: 64, response_format: { type: "json_object" } });
      assert.deepEqual(JSON.parse(resultText(r)), { answer: 4 });
    },
  },
  {
    name: "logprobs: where claimed, one entry per generated token",
    applies: (h) => h.capabilities.logprobs,
    async run(_h, run) {
      const lm = await run.make();
      const r = await lm.complete({ ...ask, logprobs: true, top_logprobs: 2 });
      const content = r.choices[0]!.logprobs?.content;
      assert.ok(content && content.length > 0, "logprobs came back");
      assert.ok(content.every((t) => typeof t.token === "string" && t.logprob <= 0));
    },
  },
];
