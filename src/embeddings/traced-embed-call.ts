import { costOf, type Price } from "../accounting/prices.ts";
import { AbortedError } from "../core/errors/aborted-error.ts";
import { createRunContext } from "../core/context.ts";
import { chargeEstimate, cutOffUsage } from "../providers/call-usage.ts";
import { mayBeBilled, retryAffordable } from "../providers/resilience/billed-cut-off.ts";
import { callSignal, translateAbort } from "../providers/resilience/call-signal.ts";
import type { RunContext, Usage } from "../core/types.ts";
import { withRetry, type RetryOptions } from "../providers/resilience/retry.ts";

export interface TracedEmbedCallOptions {
  ctx?: RunContext;
  /** The embedder's id: the span's name. */
  id: string;
  provider: string;
  model: string;
  texts: readonly string[];
  retry?: Omit<RetryOptions, "signal" | "onRetry">;
  /** Per-attempt timeout; none when undefined (local models cannot be interrupted anyway). */
  timeoutMs?: number;
  price?: Price;
  /** The request itself, under a signal that fires on abort, timeout or budget time-out. */
  call(signal: AbortSignal): Promise<{ vectors: number[][]; promptTokens?: number }>;
}

/**
 * One embedding request on lmx's accounting path, as chat calls are in defineProvider: checked
 * against the budget before it is made, traced as an `lm` span, retried on retryable upstream
 * failures, timed out, and its tokens, call and cost recorded on the span and charged to the budget.
 * An attempt sent and cut off before its answer (aborted, timed out, connection dropped: see
 * mayBeBilled) is charged its prompt estimate and one call, marked `usage_estimated`; a retry after one
 * is made only if the budget still holds it.
 */
export async function tracedEmbedCall(options: TracedEmbedCallOptions): Promise<number[][]> {
  const { ctx, texts, price } = options;
  const estimate = texts.reduce((sum, t) => sum + Math.ceil(t.length / 4), 0);
  const release = ctx?.budget.reserve({
    prompt_tokens: estimate,
    cost_usd: costOf(price, { prompt_tokens: estimate, completion_tokens: 0 }),
  });
  const span = ctx?.span.child(options.id, "lm", {
    provider: options.provider,
    model: options.model,
    embedding: true,
    inputs: texts.length,
  });
  const started = performance.now();
  let charged = false;
  const cutOff = () => {
    charged = true;
    if (span && ctx) chargeEstimate(span, ctx, cutOffUsage(estimate, "", price));
  };
  try {
    const out = await withRetry(() => attempt(options, cutOff), {
      ...options.retry,
      signal: ctx?.signal,
      onRetry: ({ attempt, delayMs, error }) =>
        span?.event("retry", { attempt, delay_ms: Math.round(delayMs), error: error.message }),
      beforeWait: (_ms, error) => {
        if (charged && ctx) retryAffordable(span, ctx, error);
      },
    });
    const prompt = out.promptTokens ?? estimate;
    const usage: Partial<Usage> = {
      prompt_tokens: prompt,
      calls: 1,
      cost_usd: costOf(price, { prompt_tokens: prompt, completion_tokens: 0 }),
    };
    span?.record(usage);
    ctx?.budget.charge(usage);
    span?.set({
      latency_ms: Math.round((performance.now() - started) * 100) / 100,
      dimensions: out.vectors[0]?.length,
    });
    span?.finish();
    return out.vectors;
  } catch (error) {
    span?.fail(error);
    throw error;
  } finally {
    release?.();
  }
}

/**
 * One try under the same signal as chat calls: caller abort, request timeout, or the time budget (a
 * BudgetExceededError); `cutOff` hears of a try that was sent and may be billed without an answer.
 */
async function attempt(
  options: TracedEmbedCallOptions,
  cutOff: () => void,
): Promise<{ vectors: number[][]; promptTokens?: number }> {
  const ctx = options.ctx ?? createRunContext({ name: options.id });
  if (ctx.signal?.aborted) throw new AbortedError();
  const timeoutMs = options.timeoutMs ?? NO_TIMEOUT_MS;
  const { signal, timedOut, dispose } = callSignal(ctx, timeoutMs);
  try {
    return await options.call(signal);
  } catch (error) {
    if (mayBeBilled(error, signal.aborted)) cutOff();
    throw translateAbort(error, ctx, timedOut(), options.provider, timeoutMs);
  } finally {
    dispose();
  }
}

/** setTimeout's longest delay: "no request timeout". */
const NO_TIMEOUT_MS = 2_147_483_647;
