import { randomUUID } from "node:crypto";
import type { KeyLedger, KeySpend, LedgerHold, ReserveInput, ReserveResult } from "./key-ledger.ts";
import {
  amountsOf,
  LEDGER_DIMENSIONS,
  periodBucket,
  type LedgerAmounts,
  type LedgerDimension,
  type LedgerPeriod,
} from "./ledger-amounts.ts";

type Amounts = Record<LedgerDimension, number>;
interface Bucket {
  spent: Amounts;
  holds: Map<string, { amounts: Amounts; expiresAt: number }>;
}

/** Most buckets kept (keys × periods); the oldest are dropped past it, so memory stays bounded. */
const MAX_BUCKETS = 100_000;

/** The ledger of one process: what a single `lmx serve` uses when no Redis is configured. */
export function memoryKeyLedger(options: { now?: () => number } = {}): KeyLedger {
  const now = options.now ?? Date.now;
  const buckets = new Map<string, Bucket>();
  const bucketOf = (key: string, id: string): Bucket => {
    const name = `${key}\u0000${id}`;
    let bucket = buckets.get(name);
    if (!bucket) {
      if (buckets.size >= MAX_BUCKETS) buckets.delete(buckets.keys().next().value!);
      bucket = { spent: amountsOf({}), holds: new Map() };
      buckets.set(name, bucket);
    }
    return bucket;
  };
  // A hold past its expiry is spending of its full amount (its request never settled).
  const sweep = (bucket: Bucket): Amounts => {
    const held = amountsOf({});
    for (const [id, hold] of bucket.holds) {
      if (hold.expiresAt <= now()) {
        add(bucket.spent, hold.amounts);
        bucket.holds.delete(id);
      } else add(held, hold.amounts);
    }
    return held;
  };
  return {
    async reserve(input: ReserveInput): Promise<ReserveResult> {
      const { id: bucketId } = periodBucket(input.period, new Date(now()));
      const bucket = bucketOf(input.key, bucketId);
      const held = sweep(bucket);
      const granted = amountsOf({});
      for (const dim of LEDGER_DIMENSIONS) {
        const limit = input.limits[dim];
        if (limit === undefined) continue;
        const left = limit - bucket.spent[dim] - held[dim];
        if (left <= 0) return { ok: false, exhausted: dim };
        granted[dim] = Math.min(input.want[dim], left);
      }
      const id = randomUUID();
      bucket.holds.set(id, { amounts: granted, expiresAt: now() + input.ttlMs });
      return { ok: true, hold: { id, key: input.key, bucket: bucketId, granted: limitedOnly(granted, input.limits) } };
    },
    async settle(hold: LedgerHold, spent: LedgerAmounts): Promise<void> {
      const bucket = bucketOf(hold.key, hold.bucket);
      // Already expired: it was counted in full, which a settled request never exceeds.
      if (!bucket.holds.delete(hold.id)) return;
      add(bucket.spent, amountsOf(spent));
    },
    async spend(key: string, period: LedgerPeriod): Promise<KeySpend> {
      const bucket = bucketOf(key, periodBucket(period, new Date(now())).id);
      const held = sweep(bucket);
      return { spent: { ...bucket.spent }, held };
    },
    async close() {
      buckets.clear();
    },
  };
}

function add(into: Amounts, amounts: Amounts): void {
  for (const dim of LEDGER_DIMENSIONS) into[dim] += Math.max(0, amounts[dim]);
}

export function limitedOnly(granted: Amounts, limits: LedgerAmounts): LedgerAmounts {
  const out: LedgerAmounts = {};
  for (const dim of LEDGER_DIMENSIONS) if (limits[dim] !== undefined) out[dim] = granted[dim];
  return out;
}
