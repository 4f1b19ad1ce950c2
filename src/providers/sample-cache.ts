import { costOf, type Price } from "../accounting/prices.ts";
import { cacheKey } from "../cache/cache-key.ts";
import type { CachedSample, ResponseCache } from "../cache/response-cache.ts";
import { BudgetExceededError } from "../core/errors/budget-error.ts";
import type { ChatRequest, Choice, RunContext, Usage } from "../core/types.ts";
import type { DriverResult } from "./provider-driver.ts";

/** A replayed sample and what it is charged: what producing it cost, counted as a cache hit. */
export interface Replay {
  sample: CachedSample;
  usage: Omit<Usage, "total_tokens">;
}

/**
 * The response cache as the accounting path uses it: one entry per sample, keyed by the request, the
 * run's seed and the sample index; a replay must fit the budget as the call it stands for had to; an
 * answer the budget's max_tokens cut short is stored under that cap, so it never answers the uncut request.
 */
export function sampleCache(options: { id: string; model: string; price?: Price; cache?: ResponseCache }) {
  const { id, model, price, cache } = options;

  function key(
    request: ChatRequest,
    ctx: RunContext,
    sampleIndex: number,
    budgetCap?: number,
    choice?: Choice,
  ): string {
    const seed = request.seed ?? ctx.seed;
    const cut = budgetCap !== undefined && choice?.finish_reason === "length";
    return cacheKey(
      id,
      {
        ...request,
        ...(seed !== undefined ? { seed } : {}),
        ...(cut ? { max_tokens: budgetCap, max_completion_tokens: undefined } : {}),
      },
      sampleIndex,
    );
  }

  function fits(ctx: RunContext, usage: Replay["usage"]): boolean {
    try {
      ctx.budget.check(usage);
      return true;
    } catch (error) {
      if (BudgetExceededError.isInstance(error)) return false;
      throw error;
    }
  }

  return {
    /** Whether sample `sampleIndex` of `request` is cached (whatever the budget). */
    has: async (request: ChatRequest, ctx: RunContext, sampleIndex: number): Promise<boolean> =>
      (await cache?.get(key(request, ctx, sampleIndex))) !== undefined,

    /** The cached sample, when there is one and its usage fits the budget now; a miss otherwise. */
    async replay(request: ChatRequest, ctx: RunContext, sampleIndex: number): Promise<Replay | undefined> {
      const sample = await cache?.get(key(request, ctx, sampleIndex));
      if (!sample) return undefined;
      // A multi-choice call's later samples carry no prompt: the call is counted once, on the first.
      const usage = {
        prompt_tokens: sample.prompt_tokens,
        completion_tokens: sample.completion_tokens,
        cached_tokens: sample.cached_tokens,
        calls: sample.prompt_tokens > 0 ? 1 : 0,
        cost_usd: sample.cost_usd,
        cache_hits: 1,
      };
      return fits(ctx, usage) ? { sample, usage } : undefined;
    },

    /** Stores choice `k` of a call that produced `got` samples, with its share of the call's usage. */
    store(options: {
      request: ChatRequest;
      ctx: RunContext;
      sampleIndex: number;
      result: DriverResult;
      k: number;
      got: number;
      budgetCap?: number;
    }): Promise<void> {
      if (!cache) return Promise.resolve();
      const { result, k, got } = options;
      // A multi-choice call's prompt is charged to its first sample so that replays add up the same.
      const completion =
        Math.floor(result.usage.completion_tokens / got) + (k === 0 ? result.usage.completion_tokens % got : 0);
      const prompt = k === 0 ? result.usage.prompt_tokens : 0;
      const cached = k === 0 ? (result.usage.cached_tokens ?? 0) : 0;
      return cache.set(key(options.request, options.ctx, options.sampleIndex, options.budgetCap, result.choices[k]), {
        choice: result.choices[k]!,
        model: result.model ?? model,
        prompt_tokens: prompt,
        completion_tokens: completion,
        cached_tokens: cached,
        cost_usd: costOf(price, { prompt_tokens: prompt, completion_tokens: completion, cached_tokens: cached }),
      });
    },
  };
}
