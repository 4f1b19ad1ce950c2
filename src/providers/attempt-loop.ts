import { AbortedError } from "../core/errors/aborted-error.ts";
import { UpstreamError } from "../core/errors/upstream-error.ts";
import type { ChatRequest, RunContext } from "../core/types.ts";
import type { Span } from "../trace/span.ts";
import { withCheckedUsage } from "./call-usage.ts";
import { mayBeBilled, retryAffordable } from "./resilience/billed-cut-off.ts";
import type { DriverCallOptions, DriverResult, DriverStreamEvent } from "./provider-driver.ts";
import { callSignal, translateAbort } from "./resilience/call-signal.ts";
import { waitBeforeRetry, type RetryOptions } from "./resilience/retry.ts";

export interface AttemptLimits {
  provider: string;
  /** Per-attempt timeout in ms. */
  timeoutMs: number;
  /** All attempts and retry waits of one call, in ms. */
  totalTimeoutMs: number;
  retry?: Omit<RetryOptions, "signal" | "onRetry">;
}

/** One attempt: the driver's complete() as a one-event stream, or its stream(). */
export type Attempt = (request: ChatRequest, options: DriverCallOptions) => AsyncIterable<DriverStreamEvent>;

/**
 * The one attempt loop of complete() and stream(): each attempt under its own timeout (cut to what
 * is left of the call's deadline), a retryable failure tried again after the backoff or Retry-After,
 * but only before anything reached the caller (a retry would repeat it). Yields the attempt's
 * events and returns its checked result; a wait that would outlast the deadline or the time budget
 * is not started (the upstream's error is thrown now, its Retry-After kept on it). An attempt that
 * was sent and ended without a result (see mayBeBilled), or was left by its reader midway, is
 * reported to `onCutOff` with the text it streamed, to be charged; it is then retried only if the
 * budget still has room for the call's hold on top of that charge.
 */
export async function* attemptLoop(options: {
  attempt: Attempt;
  request: ChatRequest;
  call: Omit<DriverCallOptions, "signal">;
  ctx: RunContext;
  span: Span;
  limits: AttemptLimits;
  /** An attempt that may be billed though it gave no result, with the text it streamed ("" for none). */
  onCutOff?: (streamed: string) => void;
}): AsyncGenerator<DriverStreamEvent, DriverResult> {
  const { ctx, span, limits, request } = options;
  const deadline = performance.now() + limits.totalTimeoutMs;
  let charged = false;
  const cutOff = (text: string) => {
    charged = true;
    options.onCutOff?.(text);
  };
  for (let attemptNo = 0; ; attemptNo++) {
    if (ctx.signal?.aborted) throw new AbortedError();
    ctx.budget.checkTime();
    const ms = attemptTimeout(deadline, limits);
    const { signal, timedOut, dispose } = callSignal(ctx, ms);
    let yielded = false;
    let text = "";
    // Until the attempt has a result or an error: a reader leaving meanwhile cuts it off.
    let open = true;
    try {
      let final: DriverResult | undefined;
      for await (const event of options.attempt(request, { ...options.call, signal })) {
        if (event.type === "done") final = event.result;
        else {
          if (event.type === "delta") text += deltaText(event);
          yielded = true;
          yield event;
        }
      }
      const result = checkedFinal(final, request, limits.provider);
      open = false;
      return result;
    } catch (error) {
      open = false;
      // Text that reached the caller was generated, whatever ended the stream.
      if (yielded || mayBeBilled(error, signal.aborted)) cutOff(text);
      const limit = ms < limits.timeoutMs ? `what was left of totalTimeoutMs ${limits.totalTimeoutMs}` : "timeoutMs";
      const e = translateAbort(error, ctx, timedOut(), limits.provider, ms, limit);
      if (yielded) throw e;
      await waitBeforeRetry(e, attemptNo, {
        ...limits.retry,
        signal: ctx.signal,
        ...retryHooks(span, ctx, deadline, () => charged),
      });
    } finally {
      dispose();
      if (open) cutOff(text);
    }
  }
}

function checkedFinal(final: DriverResult | undefined, request: ChatRequest, provider: string): DriverResult {
  if (!final)
    throw new UpstreamError({ provider, failure: "malformed", message: "the stream ended without a final result" });
  if (!Array.isArray(final.choices) || final.choices.length === 0)
    throw new UpstreamError({ provider, failure: "malformed", message: "the response had no choices" });
  return withCheckedUsage(final, request);
}

/** This attempt's timeout: the per-attempt one, cut to what is left of the call's deadline. */
function attemptTimeout(deadline: number, limits: AttemptLimits): number {
  const left = Math.floor(deadline - performance.now());
  if (left <= 0)
    throw new UpstreamError({
      provider: limits.provider,
      failure: "timeout",
      message: `no answer within ${limits.totalTimeoutMs} ms (totalTimeoutMs)`,
    });
  return Math.min(limits.timeoutMs, left);
}

/**
 * Retries are span events; a wait that would outlast the time budget or the deadline throws instead,
 * and so does a retry the budget cannot hold once an attempt cut off was charged (`charged`).
 */
function retryHooks(
  span: Span,
  ctx: RunContext,
  deadline: number,
  charged: () => boolean,
): Pick<RetryOptions, "onRetry" | "beforeWait"> {
  return {
    onRetry: ({ attempt, delayMs, error }) =>
      span.event("retry", { attempt, delay_ms: Math.round(delayMs), error: error.message }),
    beforeWait: (delayMs, error) => {
      if (charged()) retryAffordable(span, ctx, error);
      const left = Math.min(ctx.budget.remainingMs() ?? Infinity, deadline - performance.now());
      if (left > delayMs) return;
      span.event("retry_skipped", { delay_ms: Math.round(delayMs), left_ms: Math.max(0, Math.round(left)) });
      throw error;
    },
  };
}

function deltaText(event: Extract<DriverStreamEvent, { type: "delta" }>): string {
  const tools = (event.tool_calls ?? []).map((t) => (t.function?.name ?? "") + (t.function?.arguments ?? ""));
  return (event.reasoning ?? "") + (event.content ?? "") + tools.join("");
}
