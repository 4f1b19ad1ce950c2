import type { Budget } from "../budget/budget.ts";
import { costOf, type Price } from "../accounting/prices.ts";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";

export interface BudgetHold {
  /** Gives the held estimate back; call it right after the call's usage is charged (idempotent). */
  release: () => void;
  /** max_tokens to send for each choice when the budget caps it below what was asked, else undefined. */
  maxTokens?: number;
}

/**
 * Reserves one upstream call's worst case before it is made: its prompt estimate and every
 * completion token it may generate, `n` choices of max_tokens each, in tokens and dollars. max_tokens
 * is capped to what the token and cost limits leave after the holds of other calls in flight, so
 * concurrent calls together can never spend more than the budget. A call that cannot be afforded
 * while others hold room waits for them to finish; with nothing held it is a BudgetExceededError.
 */
export async function holdBudget(options: {
  budget: Budget;
  signal?: AbortSignal;
  promptTokens: number;
  /** Choices the call asks for (max_tokens applies to each). */
  n: number;
  /** The caller's own max_tokens / max_completion_tokens. */
  asked?: number;
  price?: Price;
  /** `provider:model`, for the error when a cost limit meets a model without a price. */
  id: string;
}): Promise<BudgetHold> {
  const { budget, promptTokens, n, asked, price } = options;
  // Unpriced calls would count as free: a cost limit would silently never bind.
  if (!price && budget.headroom().cost_usd !== undefined)
    throw new InvalidRequestError(
      `a cost budget needs a price for ${options.id}, which has none: add one to "prices" in lmx.config.json (or the endpoint's "prices"), or drop the cost limit`,
      { param: "budget" },
    );
  const promptCost = costOf(price, { prompt_tokens: promptTokens, completion_tokens: 0 });
  const perToken = (price?.output ?? 0) / 1e6;
  for (;;) {
    const room = budget.headroom();
    let perChoice: number | undefined;
    if (room.tokens !== undefined) perChoice = Math.floor((room.tokens - promptTokens) / n);
    if (room.cost_usd !== undefined && perToken > 0)
      perChoice = Math.min(perChoice ?? Infinity, Math.floor((room.cost_usd - promptCost) / perToken / n));
    if (perChoice !== undefined && perChoice < 1) {
      if (budget.holding) {
        await budget.released(options.signal);
        continue;
      }
      // Nothing will come back: the check names the limit that is spent.
      budget.check({ prompt_tokens: promptTokens, completion_tokens: n, cost_usd: promptCost + n * perToken });
    }
    const cap =
      perChoice === undefined ? asked : Math.max(1, asked === undefined ? perChoice : Math.min(asked, perChoice));
    // Without a token or cost limit nothing needs holding beyond the prompt and the call itself.
    const completion = perChoice === undefined ? 0 : cap! * n;
    const release = budget.reserve({
      prompt_tokens: promptTokens,
      completion_tokens: completion,
      cost_usd: promptCost + completion * perToken,
    });
    return {
      release,
      maxTokens: perChoice !== undefined && (asked === undefined || asked > perChoice) ? cap : undefined,
    };
  }
}
