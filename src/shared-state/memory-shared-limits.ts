import { AbortedError } from "../core/errors/aborted-error.ts";
import { Limiter } from "../providers/resilience/limiter.ts";
import { pause, WINDOW_MS, windowCount, type SharedLimits } from "./shared-limits.ts";

/** Scopes kept at most; past it the least recently made are dropped (memory stays bounded). */
const MAX_SCOPES = 10_000;

/** One process's limits (no Redis configured). */
export function memorySharedLimits(options: { now?: () => number } = {}): SharedLimits {
  const now = options.now ?? Date.now;
  const limiters = new Map<string, Limiter>();
  const windows = new Map<string, { minute: number; previous: number; current: number }>();
  const bounded = <V>(map: Map<string, V>, key: string, make: () => V): V => {
    let value = map.get(key);
    if (value === undefined) {
      if (map.size >= MAX_SCOPES) map.delete(map.keys().next().value!);
      value = make();
      map.set(key, value);
    }
    return value;
  };
  const windowOf = (scope: string) => {
    const w = bounded(windows, scope, () => ({ minute: 0, previous: 0, current: 0 }));
    const minute = Math.floor(now() / WINDOW_MS);
    if (minute !== w.minute) {
      w.previous = minute === w.minute + 1 ? w.current : 0;
      w.current = 0;
      w.minute = minute;
    }
    return w;
  };
  return {
    slot(scope, max, signal) {
      const limiter = bounded(limiters, `${scope}\u0000${max}`, () => new Limiter(max));
      return limiter.acquire(signal);
    },
    async take(scope, amount, perMinute, signal) {
      for (;;) {
        if (signal?.aborted) throw new AbortedError();
        const w = windowOf(scope);
        const count = windowCount(w.previous, w.current, now());
        if (count + amount <= perMinute || count === 0) {
          w.current += amount;
          return;
        }
        await pause(Math.min(1_000, WINDOW_MS - (now() % WINDOW_MS) + 1), signal).catch(() => {
          throw new AbortedError();
        });
      }
    },
    async adjust(scope, delta) {
      // A correction larger than this minute's count comes off the previous minute's (it was taken then).
      const w = windowOf(scope);
      w.current += delta;
      if (w.current < 0) [w.previous, w.current] = [Math.max(0, w.previous + w.current), 0];
    },
    async close() {
      limiters.clear();
      windows.clear();
    },
  };
}
