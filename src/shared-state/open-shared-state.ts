import type { KeyLedger } from "./key-ledger.ts";
import { memoryKeyLedger } from "./memory-key-ledger.ts";
import { openRedis } from "./open-redis.ts";
import { redisKeyLedger } from "./redis-key-ledger.ts";
import { SharedStateUnavailableError } from "./shared-state-unavailable-error.ts";

export interface SharedStateSettings {
  /** `redis://…`: instances pointed at the same Redis (and prefix) share per-key budgets. */
  url?: string;
  /** While Redis is away, use this instance's own ledger instead of refusing requests (default false). */
  failOpen?: boolean;
  /** Prefix of every key lmx writes (default `lmx:`), so several deployments can share one Redis. */
  prefix?: string;
}

export interface SharedState {
  ledger: KeyLedger;
  /** Where it lives, for start-up messages: `memory` or the Redis URL without its password. */
  where: string;
  close(): Promise<void>;
}

/** The state `lmx serve` instances share at request time: on Redis when a URL is given, else in this process. */
export async function openSharedState(
  settings: SharedStateSettings,
  options: { log?: (line: string) => void } = {},
): Promise<SharedState> {
  if (!settings.url) return { ledger: memoryKeyLedger(), where: "memory", close: async () => {} };
  const redis = await openRedis(settings.url, { log: options.log });
  const shared = redisKeyLedger(redis, { prefix: settings.prefix });
  const ledger = settings.failOpen ? failOpenLedger(shared, memoryKeyLedger(), options.log) : shared;
  return {
    ledger,
    where: new URL(settings.url).host,
    close: async () => {
      redis.disconnect();
    },
  };
}

/**
 * A ledger that falls back to this instance's own while the shared one is away: requests go on, each
 * instance keeping its keys' budgets alone until Redis is back (the operator chose availability).
 */
export function failOpenLedger(shared: KeyLedger, local: KeyLedger, log?: (line: string) => void): KeyLedger {
  const localHolds = new WeakSet<object>();
  const orLocal = async <T>(run: () => Promise<T>, fallback: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (!SharedStateUnavailableError.isInstance(error)) throw error;
      log?.("lmx: shared ledger unavailable; this instance keeps budgets on its own (failOpen)");
      return fallback();
    }
  };
  return {
    reserve: (input) =>
      orLocal(
        () => shared.reserve(input),
        async () => {
          const r = await local.reserve(input);
          if (r.ok) localHolds.add(r.hold);
          return r;
        },
      ),
    settle: (hold, spent) =>
      localHolds.has(hold)
        ? local.settle(hold, spent)
        : orLocal(
            () => shared.settle(hold, spent),
            async () => {},
          ),
    spend: (key, period) =>
      orLocal(
        () => shared.spend(key, period),
        () => local.spend(key, period),
      ),
    close: async () => {
      await Promise.all([shared.close(), local.close()]);
    },
  };
}
