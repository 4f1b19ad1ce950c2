import { lookupPrice, prefixedPrices, type PriceTable } from "../accounting/prices.ts";
import type { ResponseCache } from "../cache/response-cache.ts";
import { createRunContext } from "../core/context.ts";
import { AbortedError } from "../core/errors/aborted-error.ts";
import { contentText } from "../core/messages.ts";
import type { ChatRequest, ChatResult, LM, RunContext, StreamEvent } from "../core/types.ts";
import type { Attempt } from "./attempt-loop.ts";
import { sampleCollector } from "./collect-samples.ts";
import { deriveSeed } from "./derive-seed.ts";
import type { DriverResult, ProviderDriver } from "./provider-driver.ts";
import type { CallSlots } from "./resilience/call-slots.ts";
import { Limiter } from "./resilience/limiter.ts";
import type { RetryOptions } from "./resilience/retry.ts";
import { sampleCache } from "./sample-cache.ts";
import { upstreamCall, type CallOutcome, type CallSetup } from "./upstream-call.ts";
import { validateRequest } from "./validate-request.ts";

export { deriveSeed };

export interface ProviderOptions {
  /** Shared per-provider concurrency limit (a number makes a private one). */
  limiter?: CallSlots | number;
  retry?: Omit<RetryOptions, "signal" | "onRetry">;
  /** Per-attempt timeout in ms (default 120 s). */
  timeoutMs?: number;
  /**
   * Longest one call may take across all its attempts and retry waits, in ms (default 180 s, or
   * timeoutMs when that is longer), so an upstream that never answers costs at most this, not
   * (retries + 1) × timeoutMs.
   */
  totalTimeoutMs?: number;
  /** Prices keyed `provider:model` (default: the driver's own list prices). */
  prices?: PriceTable;
  cache?: ResponseCache;
}

/**
 * Wraps a driver into an LM. This is lmx's single accounting path, composed of small steps:
 * validate (validate-request.ts), replay or split samples (collect-samples.ts, sample-cache.ts), and
 * per upstream call budget hold, span, limiter slot, the one attempt loop with retries, and charge
 * (upstream-call.ts, attempt-loop.ts). complete() and stream() share all of it.
 */
export function defineProvider(driver: ProviderDriver, options: ProviderOptions = {}): LM {
  const id = `${driver.provider}:${driver.model}`;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const setup: CallSetup = {
    id,
    driver,
    provider: driver.provider,
    price: lookupPrice(id, options.prices ?? prefixedPrices(driver.provider, driver.prices)),
    limiter: typeof options.limiter === "object" ? options.limiter : new Limiter(options.limiter ?? 8),
    timeoutMs,
    totalTimeoutMs: options.totalTimeoutMs ?? Math.max(180_000, timeoutMs),
    retry: options.retry,
  };
  const cached = sampleCache({ id, model: driver.model, price: setup.price, cache: options.cache });
  const completeAttempt: Attempt = async function* (request, o) {
    yield { type: "done", result: await driver.complete(request, o) };
  };
  const collect = sampleCollector({
    id,
    driver,
    cached,
    call: (request, ctx, n, sampleIndex) =>
      drain(upstreamCall(setup, { request, ctx, n, sampleIndex, attempt: completeAttempt })),
  });

  async function complete(request: ChatRequest, ctx: RunContext = createRunContext({ name: id })): Promise<ChatResult> {
    validateRequest(request);
    if (ctx.signal?.aborted) throw new AbortedError();
    const out = await collect(request, ctx, request.n ?? 1, ctx.sampleOffset ?? 0);
    return resultOf(out, ctx, out.upstreamId);
  }

  async function* stream(
    request: ChatRequest,
    ctx: RunContext = createRunContext({ name: id }),
  ): AsyncIterable<StreamEvent> {
    validateRequest(request);
    const offset = ctx.sampleOffset ?? 0;
    // Several samples, a cached one, or a driver that cannot stream: complete(), replayed as events.
    if (!driver.stream || (request.n ?? 1) > 1 || (await cached.has(request, ctx, offset))) {
      const result = await complete(request, ctx);
      yield* resultAsEvents(result);
      return;
    }
    const attempt: Attempt = (r, o) => driver.stream!(r, o);
    const calls = upstreamCall(setup, { request, ctx, n: 1, sampleIndex: offset, attempt, stream: true });
    // `done` never passes: the attempt loop takes it.
    const outcome = yield* calls as AsyncGenerator<StreamEvent, CallOutcome>;
    await cached.store({
      request,
      ctx,
      sampleIndex: offset,
      result: outcome.result,
      k: 0,
      got: 1,
      budgetCap: outcome.maxTokens,
    });
    yield {
      type: "result",
      result: resultOf(
        {
          ...outcome.result,
          choices: outcome.result.choices.map((c, index) => ({ ...c, index })),
          usage: outcome.usage,
        },
        ctx,
        outcome.result.id,
      ),
    };
  }

  function resultOf(
    out: Pick<DriverResult, "choices" | "model"> & {
      usage: ChatResult["usage"];
      fingerprint?: string | null;
      system_fingerprint?: string | null;
    },
    ctx: RunContext,
    upstreamId: string | undefined,
  ): ChatResult {
    return {
      id: upstreamId ?? `lmx-${ctx.span.id}`,
      model: out.model ?? driver.model,
      created: Math.floor(Date.now() / 1000),
      choices: out.choices,
      usage: out.usage,
      trace_id: ctx.span.traceId,
      system_fingerprint: out.fingerprint ?? out.system_fingerprint,
    };
  }

  const lm: LM & { driver: ProviderDriver } = { id, capabilities: driver.capabilities, complete, stream, driver };
  return lm;
}

/** A call's outcome, its events (none for complete()) dropped. */
async function drain(call: AsyncGenerator<unknown, CallOutcome>): Promise<CallOutcome> {
  for (;;) {
    const step = await call.next();
    if (step.done) return step.value;
  }
}

/** A complete result replayed as stream events: deltas of each choice, then the result. */
function* resultAsEvents(result: ChatResult): Iterable<StreamEvent> {
  for (const choice of result.choices) {
    const text = contentText(choice.message.content);
    const reasoning = choice.message.reasoning_content || undefined;
    if (text || reasoning || choice.message.tool_calls)
      yield {
        type: "delta",
        index: choice.index,
        reasoning,
        content: text || undefined,
        tool_calls: choice.message.tool_calls?.map((t, index) => ({ index, ...t })),
      };
  }
  yield { type: "result", result };
}
