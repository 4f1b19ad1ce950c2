import { causeChain, errorCode } from "../../core/errors/cause-chain.ts";
import { UpstreamError } from "../../core/errors/upstream-error.ts";
import type { RunContext } from "../../core/types.ts";
import type { Span } from "../../trace/span.ts";

/**
 * Whether an attempt that was started and ended without a result may still be billed by the
 * upstream, and so is charged an estimate (one call, its prompt, any text it streamed):
 * - an HTTP error answer (a status, also one sent inside a stream) is not billed: no charge;
 * - an upstream timeout, abort or malformed reply (a 2xx lmx could not use) was sent: charged;
 * - a dropped connection was sent, unless the connection never opened (refused, host not resolved or
 *   unreachable, connect timeout, TLS refused): charged;
 * - any other error is charged when lmx's own signal cut the attempt (`cutOff`: the caller aborting,
 *   the request timeout, the time budget), else not (a driver's validation or programming error).
 * An attempt that was never started (budget refused, queue wait aborted) is not asked about. When in
 * doubt it charges: the budget is a ceiling, and an estimate too many is safer than a call for free.
 */
export function mayBeBilled(error: unknown, cutOff: boolean): boolean {
  if (!UpstreamError.isInstance(error)) return cutOff;
  if (error.failure === "http") return false;
  if (error.failure === "connection") return !neverConnected(error);
  return true;
}

/** Socket error codes of a connection that was never made, so nothing was sent over it. */
const NOT_CONNECTED =
  /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL|EHOSTUNREACH|ENETUNREACH|UND_ERR_CONNECT_TIMEOUT)$|CERT|SELF_SIGNED|UNABLE_TO_VERIFY|^ERR_TLS|^ERR_SSL/;

/** The error's causes (and an AggregateError's errors, as happy eyeballs throws) name only connect failures. */
function neverConnected(error: UpstreamError): boolean {
  const codes = causeChain(error).flatMap((e) => errorCode(e) ?? []);
  return codes.length > 0 && codes.every((code) => NOT_CONNECTED.test(code));
}

/**
 * Before retrying a call one of whose attempts was charged as cut off: the call's hold (still in place
 * for the retry) must fit on top of that charge, else `error` (the failure) is thrown instead.
 */
export function retryAffordable(span: Span | undefined, ctx: RunContext, error: unknown): void {
  try {
    ctx.budget.check({ prompt_tokens: 0, completion_tokens: 0, calls: 0, cost_usd: 0 });
  } catch (refusal) {
    span?.event("retry_skipped", { budget: (refusal as Error).message });
    throw error;
  }
}
