import type { Choice } from "../core/types.ts";

/** One cached sample: the choice and what producing it cost, so a replay accounts the same. */
export interface CachedSample {
  choice: Choice;
  model: string;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  /** The sample's reasoning tokens (a part of completion_tokens), when its model reasoned. */
  reasoning_tokens?: number;
  cost_usd: number;
}

/** Where providers keep samples by key (see cacheKey). The SQLite implementation is SqliteCache. */
export interface ResponseCache {
  get(key: string): CachedSample | undefined;
  set(key: string, sample: CachedSample): void;
}
