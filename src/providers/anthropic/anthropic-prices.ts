import type { PriceTable } from "../../accounting/prices.ts";

/** Anthropic's list prices, USD per million tokens, keyed by model prefix (`anthropic:` is added by the registry). */
export const anthropicPrices: PriceTable = {
  "claude-3-5-haiku*": { input: 0.8, output: 4, cached_input: 0.08 },
  "claude-3-5-sonnet*": { input: 3, output: 15, cached_input: 0.3 },
  "claude-3-7-sonnet*": { input: 3, output: 15, cached_input: 0.3 },
  "claude-sonnet-4*": { input: 3, output: 15, cached_input: 0.3 },
  "claude-opus-4*": { input: 15, output: 75, cached_input: 1.5 },
  "claude-haiku-4*": { input: 1, output: 5, cached_input: 0.1 },
};
