import { AbortedError } from "../../core/errors/aborted-error.ts";
import { UpstreamError } from "../../core/errors/upstream-error.ts";
import type { RunContext } from "../../core/types.ts";

/** The signal for one upstream call: caller abort, request timeout and budget time, whichever first. */
export function callSignal(ctx: RunContext, timeoutMs: number) {
  const remaining = ctx.budget.remainingMs();
  const ms = Math.max(1, remaining === undefined ? timeoutMs : Math.min(timeoutMs, remaining));
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), ms);
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout.signal]) : timeout.signal;
  return { signal, timedOut: () => timeout.signal.aborted, dispose: () => clearTimeout(timer) };
}

export function translateAbort(error: unknown, ctx: RunContext, timedOut: boolean, provider: string, timeoutMs: number): unknown {
  if (ctx.signal?.aborted) return AbortedError.isInstance(error) ? error : new AbortedError("the run was aborted", { cause: error });
  // Whatever the driver threw after our timer fired was caused by it.
  if (timedOut) return new UpstreamError({ provider, failure: "timeout", message: `no answer within ${timeoutMs} ms`, cause: error });
  return error;
}
