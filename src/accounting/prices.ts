/** Dollars per million tokens. */
export interface Price {
  input: number;
  output: number;
  /** Prompt tokens served from the upstream's prompt cache; defaults to `input`. */
  cached_input?: number;
}

export type PriceTable = Record<string, Price>;

/** `table`'s keys (a model, or a prefix ending in `*`) under `name:`, as a price table holds them. */
export function prefixedPrices(name: string, table: PriceTable | undefined): PriceTable {
  return Object.fromEntries(Object.entries(table ?? {}).map(([model, p]): [string, Price] => [`${name}:${model}`, p]));
}

/** The price for `provider:model`: exact key first, then the longest matching `prefix*` key. */
export function lookupPrice(id: string, table: PriceTable): Price | undefined {
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
