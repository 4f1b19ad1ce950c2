import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { AbortedError } from "../core/errors/aborted-error.ts";
import { redisCall } from "./open-redis.ts";
import { redisScript } from "./redis-script.ts";
import { pause, WINDOW_MS, type SharedLimits } from "./shared-limits.ts";

// KEYS[1] leases zset (score = expiry ms). ARGV: lease id, max, lease ms.
const SLOT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) * 2)
return 1
`;
// Keeps a lease alive while its call runs. ARGV: lease id, lease ms.
const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
end
return 1
`;
// KEYS[1] window hash {minute, previous, current}. ARGV: amount, limit. Returns 1 taken, else 0 and ms now.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local minute = math.floor(now / ${WINDOW_MS})
local w = redis.call('HMGET', KEYS[1], 'minute', 'previous', 'current')
local m, prev, cur = tonumber(w[1]) or 0, tonumber(w[2]) or 0, tonumber(w[3]) or 0
if m ~= minute then
  if minute == m + 1 then prev = cur else prev = 0 end
  cur = 0
end
local count = prev * (1 - (now % ${WINDOW_MS}) / ${WINDOW_MS}) + cur
local amount = tonumber(ARGV[1])
if count + amount > tonumber(ARGV[2]) and count > 0 then return {0, now} end
redis.call('HSET', KEYS[1], 'minute', minute, 'previous', prev, 'current', cur + amount)
redis.call('PEXPIRE', KEYS[1], ${WINDOW_MS * 3})
return {1, now}
`;
const ADJUST = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local w = redis.call('HMGET', KEYS[1], 'previous', 'current')
local prev, cur = tonumber(w[1]) or 0, (tonumber(w[2]) or 0) + tonumber(ARGV[1])
if cur < 0 then prev, cur = math.max(0, prev + cur), 0 end
redis.call('HSET', KEYS[1], 'previous', prev, 'current', cur)
return 1
`;

/**
 * Limits on Redis, shared by every instance using the same Redis and prefix. A slot is a lease that
 * its holder renews while the call runs; a holder that dies frees it within `leaseMs`. Waiting polls
 * with jittered backoff (at most `maxWaitStepMs` between tries).
 */
export function redisSharedLimits(
  redis: Redis,
  options: { prefix?: string; leaseMs?: number; maxWaitStepMs?: number } = {},
): SharedLimits {
  const prefix = options.prefix ?? "lmx:";
  const leaseMs = options.leaseMs ?? 30_000;
  const maxStep = options.maxWaitStepMs ?? 200;
  const scripts = new Map([SLOT, RENEW, TAKE, ADJUST].map((source) => [source, redisScript(redis, source)]));
  const run = (source: string, key: string, args: (string | number)[]) =>
    redisCall("limits", () => scripts.get(source)!([key], args));
  const wait = async (attempt: number, signal?: AbortSignal) => {
    const step = Math.min(maxStep, 5 * 2 ** attempt) * (0.5 + Math.random() / 2);
    await pause(step, signal).catch(() => {
      throw new AbortedError();
    });
  };
  return {
    async slot(scope, max, signal) {
      const key = `${prefix}slots:{${scope}}`;
      const id = randomUUID();
      for (let attempt = 0; ; attempt++) {
        if (signal?.aborted) throw new AbortedError();
        if (Number(await run(SLOT, key, [id, max, leaseMs])) === 1) break;
        await wait(attempt, signal);
      }
      const renew = setInterval(() => void run(RENEW, key, [id, leaseMs]).catch(() => {}), leaseMs / 3);
      renew.unref();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        clearInterval(renew);
        // Best effort: if Redis is away now, the lease runs out by itself.
        void redisCall("limits", () => redis.zrem(key, id)).catch(() => {});
      };
    },
    async take(scope, amount, perMinute, signal) {
      const key = `${prefix}rate:{${scope}}`;
      for (let attempt = 0; ; attempt++) {
        if (signal?.aborted) throw new AbortedError();
        const [taken] = (await run(TAKE, key, [amount, perMinute])) as number[];
        if (Number(taken) === 1) return;
        await wait(attempt + 4, signal);
      }
    },
    async adjust(scope, delta) {
      if (delta !== 0) await run(ADJUST, `${prefix}rate:{${scope}}`, [delta]);
    },
    async close() {},
  };
}
