import { AbortedError } from "../../core/errors/aborted-error.ts";
import { UpstreamError } from "../../core/errors/upstream-error.ts";

export interface RetryOptions {
  /** Extra attempts after the first. */
  retries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
  onRetry?: (info: { attempt: number; delayMs: number; error: UpstreamError }) => void;
  /** Runs before each wait and may throw to give up instead (a deadline that would pass meanwhile). */
  beforeWait?: (delayMs: number, error: UpstreamError) => void;
  /** Test seam. */
  random?: () => number;
}

/**
 * Runs `fn` again on retryable upstream failures (429, 5xx, timeouts, dropped connections) with
 * exponential backoff and jitter, waiting at least what Retry-After asked for.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      await waitBeforeRetry(error, attempt, options);
    }
  }
}

/**
 * After failed attempt `attempt` (0-based): throws `error` when it is not worth another try, else
 * waits the backoff (at least what Retry-After asked for) and returns.
 */
export async function waitBeforeRetry(error: unknown, attempt: number, options: RetryOptions = {}): Promise<void> {
  const {
    retries = 3,
    baseDelayMs = 200,
    maxDelayMs = 10_000,
    signal,
    onRetry,
    beforeWait,
    random = Math.random,
  } = options;
  if (!UpstreamError.isInstance(error) || !error.isRetryable || attempt >= retries || signal?.aborted) throw error;
  const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt) * (0.5 + random() / 2);
  const delayMs = error.retryAfter !== undefined ? Math.max(error.retryAfter * 1000, backoff) : backoff;
  beforeWait?.(delayMs, error);
  onRetry?.({ attempt: attempt + 1, delayMs, error });
  await sleep(delayMs, signal);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
