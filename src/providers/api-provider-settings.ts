import { z } from "zod";
import type { ProviderCreateOptions } from "./provider-definition.ts";

/** Settings of a hosted API provider (openai, anthropic) that a named endpoint has too. */
export const apiCallSettings = {
  /** Concurrent calls to this provider (across every instance sharing a Redis, when one is configured). */
  concurrency: z.number().int().min(1).optional(),
  /** Requests per minute to this provider, across instances sharing a Redis (a sliding one-minute window). */
  requestsPerMinute: z.number().int().min(1).optional(),
  /** Tokens (prompt + completion) per minute; a call counts its worst case until it ends, then what it spent. */
  tokensPerMinute: z.number().int().min(1).optional(),
  timeoutMs: z.number().int().min(1).optional(),
  retries: z.number().int().min(0).optional(),
  /** One call across all attempts and retry waits (default 180 s). */
  totalTimeoutMs: z.number().int().min(1).optional(),
  /** Longest silence between chunks of a reply body (default 60 s). */
  idleTimeoutMs: z.number().int().min(1).optional(),
  /** Largest reply body, after decompression (default 32 MiB). */
  maxResponseBytes: z.number().int().min(1024).optional(),
};

/** `providers.openai` / `providers.anthropic` in lmx.config.json. */
export const apiProviderSettings = z.strictObject({
  baseURL: z.string().optional(),
  apiKey: z.string().optional(),
  ...apiCallSettings,
});

export type ApiProviderSettings = z.output<typeof apiProviderSettings>;

/** The LM options a hosted API provider's settings make, with the base URL and key already chosen. */
export function apiLMOptions(settings: ApiProviderSettings, shared: ProviderCreateOptions<unknown>["shared"]) {
  return {
    baseURL: settings.baseURL,
    apiKey: settings.apiKey,
    limiter: shared.limiter,
    prices: shared.prices,
    cache: shared.cache,
    timeoutMs: settings.timeoutMs,
    totalTimeoutMs: settings.totalTimeoutMs,
    idleTimeoutMs: settings.idleTimeoutMs,
    maxResponseBytes: settings.maxResponseBytes,
    retry: settings.retries === undefined ? undefined : { retries: settings.retries },
  };
}
