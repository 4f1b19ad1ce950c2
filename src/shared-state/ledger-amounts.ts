/** What a key's budget counts: dollars, tokens (prompt + completion) and upstream calls. */
export const LEDGER_DIMENSIONS = ["cost_usd", "tokens", "calls"] as const;
export type LedgerDimension = (typeof LEDGER_DIMENSIONS)[number];
export type LedgerAmounts = Partial<Record<LedgerDimension, number>>;

/** How long a key's budget lasts before it starts again: a UTC day, a UTC month, or for good. */
export type LedgerPeriod = "day" | "month" | "total";

/** The bucket a moment falls in (`2026-12-07`, `2026-12`, `all`) and how long its records must live. */
export function periodBucket(period: LedgerPeriod, now: Date): { id: string; ttlSeconds: number } {
  const iso = now.toISOString();
  if (period === "day") return { id: iso.slice(0, 10), ttlSeconds: 3 * 86_400 };
  if (period === "month") return { id: iso.slice(0, 7), ttlSeconds: 63 * 86_400 };
  return { id: "all", ttlSeconds: 0 };
}

/** Amounts as numbers, zero where absent. */
export function amountsOf(amounts: LedgerAmounts): Record<LedgerDimension, number> {
  return { cost_usd: amounts.cost_usd ?? 0, tokens: amounts.tokens ?? 0, calls: amounts.calls ?? 0 };
}
