import type { PriceTable } from "../../accounting/prices.ts";

/** OpenAI's list prices, USD per million tokens, keyed by model (`openai:` is added by the registry). */
export const openaiPrices: PriceTable = {
  "gpt-4o": { input: 2.5, output: 10, cached_input: 1.25 },
  "gpt-4o-mini": { input: 0.15, output: 0.6, cached_input: 0.075 },
  "gpt-4.1": { input: 2, output: 8, cached_input: 0.5 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6, cached_input: 0.1 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4, cached_input: 0.025 },
  "o3-mini": { input: 1.1, output: 4.4, cached_input: 0.55 },
};
