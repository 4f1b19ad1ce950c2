import { estimatePromptTokens } from "../accounting/estimate-tokens.ts";
import type { Price } from "../accounting/prices.ts";
import { contentText } from "../core/messages.ts";
import type { ChatRequest, RunContext, Usage } from "../core/types.ts";
import type { Span } from "../trace/span.ts";
import { attemptLoop, type Attempt, type AttemptLimits } from "./attempt-loop.ts";
import { chargeEstimate, cutOffUsage, paidUsage } from "./call-usage.ts";
import { completionCap } from "./completion-cap.ts";
import { deriveSeed } from "./derive-seed.ts";
import { holdBudget } from "./hold-budget.ts";
import type { DriverResult, DriverStreamEvent, ProviderDriver } from "./provider-driver.ts";
import type { CallSlots } from "./resilience/call-slots.ts";
import { withinTimeBudget } from "./resilience/call-signal.ts";

/** What every call of one provider LM shares. */
export interface CallSetup extends AttemptLimits {
  id: string;
  driver: ProviderDriver;
  price?: Price;
  limiter: CallSlots;
}

/** A finished upstream call: the checked result, its paid usage, and the max_tokens the budget capped it to. */
export interface CallOutcome {
  result: DriverResult;
  usage: Usage;
  maxTokens?: number;
}

/**
 * One upstream call producing `n` samples from `sampleIndex`, as composed steps: budget hold (its
 * worst case, so concurrent calls cannot overspend), span, concurrency slot, the attempt loop,
 * charge. `attempt` is the driver's complete() or stream(); the events it yields pass through.
 * Every attempt sent upstream that ended without a result, the upstream may bill (aborted, timed out,
 * connection dropped, reply unusable, reader gone; not an HTTP error answer: see mayBeBilled) and is
 * charged an estimate: one call, the prompt estimate of the hold, and the text it streamed.
 */
export async function* upstreamCall(
  setup: CallSetup,
  o: { request: ChatRequest; ctx: RunContext; n: number; sampleIndex: number; attempt: Attempt; stream?: boolean },
): AsyncGenerator<DriverStreamEvent, CallOutcome> {
  const { request, ctx, n, sampleIndex } = o;
  const promptTokens = estimatePromptTokens(request);
  const hold = await withinTimeBudget(ctx, (signal) =>
    holdBudget({
      budget: ctx.budget,
      signal,
      promptTokens,
      n,
      asked: completionCap(request),
      price: setup.price,
      id: setup.id,
    }),
  );
  const upstreamRequest: ChatRequest = { ...request, n };
  if (hold.maxTokens !== undefined) upstreamRequest.max_tokens = hold.maxTokens;
  const seed = deriveSeed(request.seed ?? ctx.seed, sampleIndex);
  if (seed !== undefined) upstreamRequest.seed = seed;
  const span = ctx.span.child(setup.id, "lm", {
    provider: setup.driver.provider,
    model: setup.driver.model,
    sample_index: sampleIndex,
    n,
    ...(o.stream ? { stream: true } : {}),
    request: upstreamRequest,
  });
  let settled = false;
  // What attempts cut off were charged, for the token window.
  let cutOffTokens = 0;
  const started = performance.now();
  try {
    // A token window counts the call's worst case until it is over, then what it spent.
    const cost = { tokens: promptTokens + (hold.maxTokens ?? completionCap(request) ?? 0) * n };
    const release = await withinTimeBudget(ctx, (signal) => setup.limiter.acquire(signal, cost));
    let spent: { tokens: number } | undefined;
    try {
      const result = yield* attemptLoop({
        attempt: o.attempt,
        request: upstreamRequest,
        call: { seed, sampleIndex },
        ctx,
        span,
        limits: setup,
        onCutOff: (streamed) => {
          const usage = cutOffUsage(promptTokens, streamed, setup.price);
          cutOffTokens += usage.prompt_tokens! + usage.completion_tokens!;
          chargeEstimate(span, ctx, usage);
        },
      });
      settled = true;
      const usage = charge(span, ctx, result, setup.price, performance.now() - started);
      spent = { tokens: usage.total_tokens + cutOffTokens };
      return { result, usage, maxTokens: hold.maxTokens };
    } finally {
      release(spent);
    }
  } catch (error) {
    settled = true;
    span.fail(error);
    throw error;
  } finally {
    // The reader stopped before the end (a `break`, a closed response): the attempt loop charged the call.
    if (!settled) {
      span.set({ stopped: "the reader stopped before the end of the stream" });
      span.finish();
    }
    hold.release();
  }
}

/** The call's usage on its span and the budget, with what it said, then the span ends. */
function charge(span: Span, ctx: RunContext, result: DriverResult, price: Price | undefined, ms: number): Usage {
  const usage = paidUsage(result, price);
  if (result.usage.estimated) span.set({ usage_estimated: true });
  span.record(usage);
  ctx.budget.charge(usage);
  span.set({
    latency_ms: Math.round(ms * 100) / 100,
    output: result.choices.map((c) => contentText(c.message.content)),
    finish_reasons: result.choices.map((c) => c.finish_reason),
  });
  // The trace keeps the reasoning that the answer leaves out.
  if (result.choices.some((c) => c.message.reasoning_content))
    span.set({ reasoning: result.choices.map((c) => c.message.reasoning_content ?? "") });
  span.finish();
  return usage;
}
