import type { ProviderOptions } from "./define-provider.ts";

/** An LM factory's options split once: defineProvider's (the accounting path) and the driver's (the rest). */
export function splitProviderOptions<D extends object>(
  options: D & ProviderOptions,
): { driver: Omit<D & ProviderOptions, keyof ProviderOptions>; provider: ProviderOptions } {
  const { limiter, retry, timeoutMs, totalTimeoutMs, prices, cache, ...driver } = options;
  // Every key of ProviderOptions, so that one added there cannot reach the driver instead (a missing one fails tsc).
  const provider: { [K in keyof Required<ProviderOptions>]: ProviderOptions[K] } = {
    limiter,
    retry,
    timeoutMs,
    totalTimeoutMs,
    prices,
    cache,
  };
  return { driver, provider };
}
