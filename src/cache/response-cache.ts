import type { Choice } from "../core/types.ts";

/** One cached sample: the choice and what producing it cost, so a replay accounts the same. */
export interface CachedSample {
  choice: Choice;
  model: string;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cost_usd: number;
}

/**
 * Where providers keep samples by key (see cacheKey). Implementations: SqliteCache (one file, the
 * default) and PgCache (PostgreSQL, shared by several `lmx serve` instances); see openStores.
 */
export interface ResponseCache {
  get(key: string): Promise<CachedSample | undefined>;
  set(key: string, sample: CachedSample): Promise<void>;
}

/** A response cache as a store: what `ResponseCache` does, plus its size, clearing and closing. */
export interface CacheStore extends ResponseCache {
  /** Entries stored. */
  count(): Promise<number>;
  /** Removes every entry; returns how many there were. */
  clear(): Promise<number>;
  /** Closing twice is harmless. */
  close(): Promise<void>;
}

/** A stored value back as a sample; anything else (a row edited by hand) is a miss that the next set replaces. */
export function parseCachedSample(raw: string | undefined): CachedSample | undefined {
  if (raw === undefined) return undefined;
  try {
    const sample = JSON.parse(raw) as CachedSample;
    return sample && typeof sample === "object" && sample.choice && typeof sample.choice === "object"
      ? sample
      : undefined;
  } catch {
    return undefined;
  }
}
