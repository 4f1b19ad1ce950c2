import type { PriceTable } from "../accounting/prices.ts";
import type { Capabilities, ChatRequest, Choice, StreamEvent } from "../core/types.ts";

/** Per-call options the accounting path hands a driver. */
export interface DriverCallOptions {
  /** Fires on caller abort, request timeout or budget time-out. */
  signal: AbortSignal;
  /** Seed for this sample (derived from the run's seed and the sample index), if any. */
  seed?: number;
  /** Index of the first sample this call produces. */
  sampleIndex: number;
}

export interface DriverUsage {
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens?: number;
  /** Completion tokens spent on reasoning (a part of completion_tokens). */
  reasoning_tokens?: number;
  /** Some counts are lmx's estimate: the upstream reported none, or figures that were not token counts. */
  estimated?: boolean;
}

export interface DriverResult {
  choices: Choice[];
  usage: DriverUsage;
  id?: string;
  model?: string;
  system_fingerprint?: string | null;
}

/** The end of a driver stream: the same as a complete() result. */
export type DriverStreamEvent = Exclude<StreamEvent, { type: "result" }> | { type: "done"; result: DriverResult };

/**
 * The provider-specific half of a base LM: one upstream call, nothing else. Accounting, budgets,
 * retries, concurrency, caching and `n` splitting are done once, in defineProvider.
 */
export interface ProviderDriver {
  /** e.g. "openai" */
  readonly provider: string;
  readonly model: string;
  readonly capabilities: Capabilities;
  /** List prices keyed by model (or `prefix*`), used when the LM is given no price table; none: unpriced. */
  readonly prices?: PriceTable;
  complete(request: ChatRequest, options: DriverCallOptions): Promise<DriverResult>;
  stream?(request: ChatRequest, options: DriverCallOptions): AsyncIterable<DriverStreamEvent>;
  /** Release native resources (llama.cpp contexts). */
  close?(): Promise<void>;
}
