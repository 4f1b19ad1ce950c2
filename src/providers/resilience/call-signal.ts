import { AbortedError } from "../../core/errors/aborted-error.ts";
import { UpstreamError } from "../../core/errors/upstream-error.ts";
import type { RunContext } from "../../core/types.ts";
import { linkedSignal } from "../../core/linked-signal.ts";

/** Which timer cut a call short: the request timeout, or the run's time budget running out. */
export type TimedOut = "request" | "budget" | undefined;

/** The signal for one upstream call: caller abort, request timeout and budget time, whichever first. */
export function callSignal(ctx: RunContext, timeoutMs: number) {
  const remaining = ctx.budget.remainingMs();
  const byBudget = remaining !== undefined && remaining < timeoutMs;
  const ms = Math.max(1, byBudget ? remaining : timeoutMs);
  const linked = linkedSignal(ctx.signal);
  let fired = false;
  const timer = setTimeout(() => ((fired = true), linked.abort()), ms);
  const timedOut = (): TimedOut => (fired ? (byBudget ? "budget" : "request") : undefined);
  return { signal: linked.signal, timedOut, dispose: () => (clearTimeout(timer), linked.dispose()) };
}

/**
 * What a call that failed under `callSignal` failed with: an AbortedError when the caller aborted,
 * a BudgetExceededError when the time budget ran out (so a technique stops with its best answer
 * instead of retrying), an upstream timeout when the request timeout fired, else the error itself.
 */
export function translateAbort(
  error: unknown,
  ctx: RunContext,
  timedOut: TimedOut,
  provider: string,
  timeoutMs: number,
  limit = "timeoutMs",
): unknown {
  if (ctx.signal?.aborted)
    return AbortedError.isInstance(error) ? error : new AbortedError("the run was aborted", { cause: error });
  // Whatever the driver threw after our timer fired was caused by it.
  if (timedOut === "budget") return ctx.budget.timeExceeded();
  if (timedOut === "request")
    return new UpstreamError({
      provider,
      failure: "timeout",
      message: `no answer within ${timeoutMs} ms (${limit})`,
      cause: error,
    });
  return error;
}

/** setTimeout's longest delay; a time budget further away than this cannot run out while we wait. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Runs a wait (for a concurrency slot, for budget room) under a signal that fires on caller abort or
 * when the time budget runs out, so that a queued call never outlasts its run's time limit: the
 * budget running out is a BudgetExceededError, an abort an AbortedError.
 */
export async function withinTimeBudget<T>(
  ctx: RunContext,
  wait: (signal: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  const remaining = ctx.budget.remainingMs();
  if (remaining === undefined || remaining > MAX_TIMER_MS) return wait(ctx.signal);
  const linked = linkedSignal(ctx.signal);
  let fired = false;
  const timer = setTimeout(() => ((fired = true), linked.abort()), Math.max(1, remaining));
  try {
    return await wait(linked.signal);
  } catch (error) {
    if (!ctx.signal?.aborted && fired) throw ctx.budget.timeExceeded();
    throw error;
  } finally {
    clearTimeout(timer);
    linked.dispose();
  }
}
