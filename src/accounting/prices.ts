/** Dollars per million tokens. */
export interface Price {
  input: number;
  output: number;
  /** Prompt tokens served from the upstream's prompt cache; defaults to `input`. */
  cached_input?: number;
}

export type PriceTable = Record<string, Price>;

/**
 * Known list prices (USD per 1M tokens). Keys are `provider:model`; a key ending in `*` matches a
 * prefix. Users override or extend this with `prices` in lmx.config.json.
 */
export const defaultPrices: PriceTable = {
  "openai:gpt-4o": { input: 2.5, output: 10, cached_input: 1.25 },
  "openai:gpt-4o-mini": { input: 0.15, output: 0.6, cached_input: 0.075 },
  "openai:gpt-4.1": { input: 2, output: 8, cached_input: 0.5 },
  "openai:gpt-4.1-mini": { input: 0.4, output: 1.6, cached_input: 0.1 },
  "openai:gpt-4.1-nano": { input: 0.1, output: 0.4, cached_input: 0.025 },
  "openai:o3-mini": { input: 1.1, output: 4.4, cached_input: 0.55 },
  "anthropic:claude-3-5-haiku*": { input: 0.8, output: 4, cached_input: 0.08 },
  "anthropic:claude-3-5-sonnet*": { input: 3, output: 15, cached_input: 0.3 },
  "anthropic:claude-3-7-sonnet*": { input: 3, output: 15, cached_input: 0.3 },
  "anthropic:claude-sonnet-4*": { input: 3, output: 15, cached_input: 0.3 },
  "anthropic:claude-opus-4*": { input: 15, output: 75, cached_input: 1.5 },
  "anthropic:claude-haiku-4*": { input: 1, output: 5, cached_input: 0.1 },
  // Local and recorded models cost nothing.
  "llama:*": { input: 0, output: 0 },
  "replay:*": { input: 0, output: 0 },
  "scripted:*": { input: 0, output: 0 },
};

/** The price for `provider:model`: exact key first, then the longest matching `prefix*` key. */
export function lookupPrice(id: string, table: PriceTable = defaultPrices): Price | undefined {
  if (table[id]) return table[id];
  let best: { len: number; price: Price } | undefined;
  for (const [key, price] of Object.entries(table)) {
    if (!key.endsWith("*")) continue;
    const prefix = key.slice(0, -1);
    if (id.startsWith(prefix) && (!best || prefix.length > best.len)) best = { len: prefix.length, price };
  }
  return best?.price;
}

export function costOf(
  price: Price | undefined,
  usage: { prompt_tokens: number; completion_tokens: number; cached_tokens?: number },
): number {
  if (!price) return 0;
  const cached = Math.min(usage.cached_tokens ?? 0, usage.prompt_tokens);
  const fresh = usage.prompt_tokens - cached;
  return (
    (fresh * price.input + cached * (price.cached_input ?? price.input) + usage.completion_tokens * price.output) / 1e6
  );
}
