import type { LedgerAmounts, LedgerDimension, LedgerPeriod } from "./ledger-amounts.ts";

/** One request's share of a key's budget, held until the request settles what it really spent. */
export interface LedgerHold {
  id: string;
  key: string;
  bucket: string;
  /** What the request may spend at most, for each limited dimension. */
  granted: LedgerAmounts;
}

export type ReserveResult = { ok: true; hold: LedgerHold } | { ok: false; exhausted: LedgerDimension };

export interface ReserveInput {
  /** Whose budget: the proxy uses the caller's tenant (a digest of its key, never the key). */
  key: string;
  period: LedgerPeriod;
  /** The key's budget per period; a dimension without a limit is counted but never refused. */
  limits: LedgerAmounts;
  /** What the request asks to hold at most, per limited dimension (it gets less when less is left). */
  want: Record<LedgerDimension, number>;
  /** After this long an unsettled hold counts as spent in full (its holder died mid-request). */
  ttlMs: number;
}

export interface KeySpend {
  spent: Record<LedgerDimension, number>;
  held: Record<LedgerDimension, number>;
}

/**
 * Per-key budgets shared by every proxy that uses the same ledger. `reserve` atomically holds part of
 * what a key has left, so requests running at once on any number of instances can never spend more
 * than the budget together; `settle` replaces the hold with what was really spent. A hold whose
 * request never settles (a killed instance) turns into spending of its full amount when it expires:
 * a crash may waste budget, never overspend it.
 */
export interface KeyLedger {
  reserve(input: ReserveInput): Promise<ReserveResult>;
  settle(hold: LedgerHold, spent: LedgerAmounts): Promise<void>;
  spend(key: string, period: LedgerPeriod): Promise<KeySpend>;
  close(): Promise<void>;
}
