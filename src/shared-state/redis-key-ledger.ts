import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { KeyLedger, KeySpend, LedgerHold, ReserveInput, ReserveResult } from "./key-ledger.ts";
import { amountsOf, LEDGER_DIMENSIONS, periodBucket, type LedgerAmounts, type LedgerPeriod } from "./ledger-amounts.ts";
import { limitedOnly } from "./memory-key-ledger.ts";
import { redisCall } from "./open-redis.ts";
import { redisScript } from "./redis-script.ts";

// Both scripts first turn expired holds into spending (their requests never settled), using Redis's
// clock so that instances with skewed clocks agree. KEYS: spent hash, holds zset (score = expiry ms),
// hold amounts hash ("cost|tokens|calls").
const SWEEP = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local dims = {'cost_usd', 'tokens', 'calls'}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do
  local amt = redis.call('HGET', KEYS[3], id)
  if amt then
    local i = 1
    for v in string.gmatch(amt, '[^|]+') do
      redis.call('HINCRBYFLOAT', KEYS[1], dims[i], v)
      i = i + 1
    end
  end
  redis.call('HDEL', KEYS[3], id)
  redis.call('ZREM', KEYS[2], id)
end
local held = {0, 0, 0}
for _, amt in ipairs(redis.call('HVALS', KEYS[3])) do
  local i = 1
  for v in string.gmatch(amt, '[^|]+') do
    held[i] = held[i] + tonumber(v)
    i = i + 1
  end
end
local spent = redis.call('HMGET', KEYS[1], 'cost_usd', 'tokens', 'calls')
for i = 1, 3 do spent[i] = tonumber(spent[i]) or 0 end
`;

// ARGV: hold id, ttl ms, key ttl s (0 = none), then limit (-1 = none) and want for each dimension.
const RESERVE = `${SWEEP}
local grant = {0, 0, 0}
for i = 1, 3 do
  local limit = tonumber(ARGV[2 + 2 * i])
  if limit >= 0 then
    local left = limit - spent[i] - held[i]
    if left <= 0 then return {0, i} end
    grant[i] = math.min(tonumber(ARGV[3 + 2 * i]), left)
  end
end
local parts = {}
for i = 1, 3 do parts[i] = string.format('%.17g', grant[i]) end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], table.concat(parts, '|'))
local ttl = tonumber(ARGV[3])
if ttl > 0 then for k = 1, 3 do redis.call('EXPIRE', KEYS[k], ttl) end end
return {1, parts[1], parts[2], parts[3]}
`;

// ARGV: hold id, then what was spent per dimension. A hold that already expired was counted in full.
const SETTLE = `
if redis.call('HDEL', KEYS[3], ARGV[1]) == 0 then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
local dims = {'cost_usd', 'tokens', 'calls'}
for i = 1, 3 do redis.call('HINCRBYFLOAT', KEYS[1], dims[i], ARGV[1 + i]) end
return 1
`;

const SPEND = `${SWEEP}
return {string.format('%.17g', spent[1]), string.format('%.17g', spent[2]), string.format('%.17g', spent[3]),
  string.format('%.17g', held[1]), string.format('%.17g', held[2]), string.format('%.17g', held[3])}
`;

/** The ledger on Redis: every `lmx serve` pointed at the same Redis (and prefix) shares each key's budget. */
export function redisKeyLedger(redis: Redis, options: { prefix?: string } = {}): KeyLedger {
  const prefix = options.prefix ?? "lmx:";
  const reserve = redisScript(redis, RESERVE);
  const settle = redisScript(redis, SETTLE);
  const spendOf = redisScript(redis, SPEND);
  // One hash tag per key and bucket keeps the three keys in one cluster slot.
  const keysOf = (key: string, bucket: string) => {
    const tag = `${prefix}ledger:{${key}:${bucket}}`;
    return [`${tag}:spent`, `${tag}:holds`, `${tag}:amounts`];
  };
  return {
    async reserve(input: ReserveInput): Promise<ReserveResult> {
      const { id: bucket, ttlSeconds } = periodBucket(input.period, new Date());
      const id = randomUUID();
      const args: (string | number)[] = [id, Math.max(1, Math.ceil(input.ttlMs)), ttlSeconds];
      for (const dim of LEDGER_DIMENSIONS) args.push(input.limits[dim] ?? -1, input.want[dim]);
      const reply = (await redisCall("reserve", () => reserve(keysOf(input.key, bucket), args))) as (number | string)[];
      if (Number(reply[0]) !== 1) return { ok: false, exhausted: LEDGER_DIMENSIONS[Number(reply[1]) - 1]! };
      const granted = { cost_usd: Number(reply[1]), tokens: Number(reply[2]), calls: Number(reply[3]) };
      return { ok: true, hold: { id, key: input.key, bucket, granted: limitedOnly(granted, input.limits) } };
    },
    async settle(hold: LedgerHold, spent: LedgerAmounts): Promise<void> {
      const a = amountsOf(spent);
      const args = [hold.id, ...LEDGER_DIMENSIONS.map((d) => String(Math.max(0, a[d])))];
      await redisCall("settle", () => settle(keysOf(hold.key, hold.bucket), args));
    },
    async spend(key: string, period: LedgerPeriod): Promise<KeySpend> {
      const { id: bucket } = periodBucket(period, new Date());
      const r = ((await redisCall("spend", () => spendOf(keysOf(key, bucket), []))) as string[]).map(Number);
      return {
        spent: { cost_usd: r[0]!, tokens: r[1]!, calls: r[2]! },
        held: { cost_usd: r[3]!, tokens: r[4]!, calls: r[5]! },
      };
    },
    async close() {
      // The connection belongs to whoever opened it.
    },
  };
}
