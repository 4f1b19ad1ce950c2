/**
 * Limits that hold across every instance sharing them: at most `max` calls of a scope at once, and at
 * most a number of requests or tokens per minute. The memory implementation is one process's; the
 * Redis one is every instance's on that Redis.
 */
export interface SharedLimits {
  /** Waits for one of `max` slots of `scope`; the returned function gives it back (once). */
  slot(scope: string, max: number, signal?: AbortSignal): Promise<() => void>;
  /**
   * Waits until `amount` more fits in `scope`'s sliding one-minute window of `perMinute`, then takes it.
   * An amount larger than the whole limit is taken once the window is empty (never waits forever).
   */
  take(scope: string, amount: number, perMinute: number, signal?: AbortSignal): Promise<void>;
  /** Corrects what `take` counted once the real amount is known (a token estimate, say); may be negative. */
  adjust(scope: string, delta: number): Promise<void>;
  close(): Promise<void>;
}

export const WINDOW_MS = 60_000;

/**
 * Sliding-window estimate from two fixed minutes: all of this minute's count plus the part of the
 * previous minute's that still falls inside the last 60 s.
 */
export function windowCount(previous: number, current: number, now: number): number {
  const intoMinute = (now % WINDOW_MS) / WINDOW_MS;
  return previous * (1 - intoMinute) + current;
}

/** Sleeps `ms`, or rejects when `signal` aborts first. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error("aborted"));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason ?? new Error("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
