import type { KeyLedger } from "./key-ledger.ts";
import { memoryKeyLedger } from "./memory-key-ledger.ts";
import { openRedis } from "./open-redis.ts";
import { redisKeyLedger } from "./redis-key-ledger.ts";
import { memorySharedLimits } from "./memory-shared-limits.ts";
import { redisSharedLimits } from "./redis-shared-limits.ts";
import type { SharedLimits } from "./shared-limits.ts";
import { SharedStateUnavailableError } from "./shared-state-unavailable-error.ts";

export interface SharedStateSettings {
  /** `redis://…`: instances pointed at the same Redis (and prefix) share per-key budgets. */
  url?: string;
  /** While Redis is away, use this instance's own ledger instead of refusing requests (default false). */
  failOpen?: boolean;
  /** Prefix of every key lmx writes (default `lmx:`), so several deployments can share one Redis. */
  prefix?: string;
  /**
   * How long one command may take before it fails as "shared state unavailable" (default 2 s): a Redis
   * that stalls (paused, swapping, a network that drops packets) would otherwise hold requests forever.
   */
  commandTimeoutMs?: number;
}

/** See SharedStateSettings.commandTimeoutMs. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 2_000;

export interface SharedState {
  ledger: KeyLedger;
  /** Endpoint limits shared with other instances (on Redis); undefined when this process is alone. */
  limits?: SharedLimits;
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
  const redis = await openRedis(settings.url, {
    log: options.log,
    commandTimeoutMs: settings.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
  });
  const shared = redisKeyLedger(redis, { prefix: settings.prefix });
  const ledger = settings.failOpen ? failOpenLedger(shared, memoryKeyLedger(), options.log) : shared;
  const sharedLimits = redisSharedLimits(redis, { prefix: settings.prefix });
  const limits = settings.failOpen ? failOpenLimits(sharedLimits, memorySharedLimits(), options.log) : sharedLimits;
  return {
    ledger,
    limits,
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

/** Limits that fall back to this instance's own while the shared ones are away (failOpen). */
export function failOpenLimits(shared: SharedLimits, local: SharedLimits, log?: (line: string) => void): SharedLimits {
  const orLocal = async <T>(run: () => Promise<T>, fallback: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (!SharedStateUnavailableError.isInstance(error)) throw error;
      log?.("lmx: shared limits unavailable; this instance keeps its endpoints' limits on its own (failOpen)");
      return fallback();
    }
  };
  return {
    slot: (scope, max, signal) =>
      orLocal(
        () => shared.slot(scope, max, signal),
        () => local.slot(scope, max, signal),
      ),
    take: (scope, amount, perMinute, signal) =>
      orLocal(
        () => shared.take(scope, amount, perMinute, signal),
        () => local.take(scope, amount, perMinute, signal),
      ),
    adjust: (scope, delta) =>
      orLocal(
        () => shared.adjust(scope, delta),
        () => local.adjust(scope, delta),
      ),
    close: async () => {
      await Promise.all([shared.close(), local.close()]);
    },
  };
}
