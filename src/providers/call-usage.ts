import { estimateTextTokens } from "../accounting/estimate-tokens.ts";
import { costOf, type Price } from "../accounting/prices.ts";
import { addUsage, emptyUsage } from "../accounting/usage.ts";
import type { ChatRequest, RunContext, Usage } from "../core/types.ts";
import type { Span } from "../trace/span.ts";
import { estimateUsage } from "./openai/estimate-usage.ts";
import type { DriverResult } from "./provider-driver.ts";
import { checkedUsage } from "./upstream-reply/checked-usage.ts";

/** One paid upstream call's usage: its tokens, one call, priced. */
export function paidUsage(result: DriverResult, price: Price | undefined): Usage {
  const u = result.usage;
  return addUsage(emptyUsage(), {
    prompt_tokens: u.prompt_tokens,
    completion_tokens: u.completion_tokens,
    cached_tokens: u.cached_tokens ?? 0,
    reasoning_tokens: u.reasoning_tokens,
    calls: 1,
    cost_usd: costOf(price, u),
  });
}

/**
 * What a call cut off before its result is charged (see mayBeBilled): it may be billed though no usage
 * came back, so one call, the prompt estimate (`prompt`, the budget hold's) and the text streamed so far.
 */
export function cutOffUsage(prompt: number, streamed: string, price: Price | undefined): Partial<Usage> {
  const completion = Math.ceil(estimateTextTokens(streamed));
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    calls: 1,
    cost_usd: costOf(price, { prompt_tokens: prompt, completion_tokens: completion }),
  };
}

/**
 * The result with its usage checked once more here, whatever the driver (a custom one, a scripted
 * model): counts that are not non-negative integers are estimated, so no budget is charged "10" or 1e308.
 */
export function withCheckedUsage(result: DriverResult, request: ChatRequest): DriverResult {
  const estimate = () => estimateUsage({ request, choices: result.choices });
  const u = result.usage;
  if (!u || typeof u !== "object") return { ...result, usage: estimate() };
  const checked = checkedUsage(u, estimate);
  if (u.estimated) checked.estimated = true;
  return { ...result, usage: checked };
}

/** An estimate charged for a call cut off (cutOffUsage): on its span, marked estimated, and to the budget. */
export function chargeEstimate(span: Span, ctx: RunContext, usage: Partial<Usage>): void {
  span.set({ usage_estimated: true });
  span.event("cut_off", { prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens });
  span.record(usage);
  ctx.budget.charge(usage);
}
