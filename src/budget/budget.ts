import { AbortedError } from "../core/errors/aborted-error.ts";
import { BudgetExceededError, type BudgetLimit } from "../core/errors/budget-error.ts";
import type { Usage } from "../core/types.ts";

export interface BudgetLimits {
  /** Total tokens (prompt + completion) across every call. */
  tokens?: number;
  calls?: number;
  cost_usd?: number;
  /** Wall time from the budget's creation. */
  time_ms?: number;
}

/** What a call is expected to cost, checked before it is made. */
export interface CallEstimate {
  prompt_tokens: number;
  /** Completion tokens the call may generate at most (its max_tokens over all its choices). */
  completion_tokens?: number;
  calls?: number;
  cost_usd?: number;
}

/**
 * A shared spending limit. `check` runs before every LM call (a call that would exceed it is not
 * made); `charge` runs after. A sub-budget charges its parents too, so a technique can cap a stage.
 */
export class Budget {
  readonly limits: BudgetLimits;
  readonly parent?: Budget;
  readonly startedAt: number;
  used = { tokens: 0, calls: 0, cost_usd: 0 };
  /** Estimates of calls reserved but not charged yet, so that concurrent calls see each other. */
  private readonly pending = { tokens: 0, calls: 0, cost_usd: 0 };
  /** Calls waiting for a reservation to be released (see `released`). */
  private readonly wakers = new Set<() => void>();

  constructor(limits: BudgetLimits = {}, parent?: Budget, now: () => number = Date.now) {
    for (const [key, value] of Object.entries(limits)) {
      if (value !== undefined && (typeof value !== "number" || !(value >= 0)))
        throw new TypeError(`budget ${key} must be a number >= 0, got ${String(value)}`);
    }
    this.limits = { ...limits };
    this.parent = parent;
    this.now = now;
    this.startedAt = now();
  }

  private readonly now: () => number;

  static unlimited(): Budget {
    return new Budget();
  }

  sub(limits: BudgetLimits): Budget {
    return new Budget(limits, this, this.now);
  }

  elapsedMs(): number {
    return this.now() - this.startedAt;
  }

  /** Throws BudgetExceededError when the call would go over any limit, here or in a parent. */
  check(estimate: CallEstimate): void {
    const l = this.limits;
    const calls = estimate.calls ?? 1;
    const p = this.pending;
    if (l.calls !== undefined && this.used.calls + p.calls + calls > l.calls)
      this.fail("calls", l.calls, this.used.calls, calls, p.calls);
    const tokens = estimate.prompt_tokens + (estimate.completion_tokens ?? 0);
    if (l.tokens !== undefined && this.used.tokens + p.tokens + tokens > l.tokens)
      this.fail("tokens", l.tokens, this.used.tokens, tokens, p.tokens);
    // A hair of slack: a hold computed to fill the budget exactly must not fail on float rounding.
    if (
      l.cost_usd !== undefined &&
      this.used.cost_usd + p.cost_usd + (estimate.cost_usd ?? 0) > l.cost_usd * (1 + 1e-12)
    )
      this.fail("cost_usd", l.cost_usd, this.used.cost_usd, estimate.cost_usd, p.cost_usd);
    if (l.time_ms !== undefined && this.elapsedMs() >= l.time_ms) this.fail("time_ms", l.time_ms, this.elapsedMs());
    this.parent?.check(estimate);
  }

  /**
   * `check`, then hold the estimate (here and in parents) until the returned release runs, which the
   * caller does right after `charge`: concurrent calls checked in the same tick would otherwise all pass.
   */
  reserve(estimate: CallEstimate): () => void {
    this.check(estimate);
    const held = {
      tokens: estimate.prompt_tokens + (estimate.completion_tokens ?? 0),
      calls: estimate.calls ?? 1,
      cost_usd: estimate.cost_usd ?? 0,
    };
    const shift = (sign: 1 | -1) => {
      for (let b: Budget | undefined = this; b; b = b.parent) {
        b.pending.tokens += sign * held.tokens;
        b.pending.calls += sign * held.calls;
        b.pending.cost_usd += sign * held.cost_usd;
        if (sign < 0) for (const wake of [...b.wakers]) wake();
      }
    };
    shift(1);
    let holding = true;
    return () => {
      if (holding) shift(-1);
      holding = false;
    };
  }

  /**
   * Tokens and dollars left under the limits, here and in parents, after what was charged and what
   * calls in flight hold (undefined: no such limit).
   */
  headroom(): { tokens?: number; cost_usd?: number } {
    const room: { tokens?: number; cost_usd?: number } = {};
    for (let b: Budget | undefined = this; b; b = b.parent) {
      if (b.limits.tokens !== undefined)
        room.tokens = Math.min(room.tokens ?? Infinity, b.limits.tokens - b.used.tokens - b.pending.tokens);
      if (b.limits.cost_usd !== undefined)
        room.cost_usd = Math.min(room.cost_usd ?? Infinity, b.limits.cost_usd - b.used.cost_usd - b.pending.cost_usd);
    }
    return room;
  }

  /** Completion tokens still affordable after a prompt of `promptTokens` (and what calls in flight hold), or undefined. */
  remainingCompletionTokens(promptTokens: number): number | undefined {
    const tokens = this.headroom().tokens;
    return tokens === undefined ? undefined : Math.max(0, tokens - promptTokens);
  }

  /** Whether calls in flight hold reservations here or in a parent, so that room may come back. */
  get holding(): boolean {
    for (let b: Budget | undefined = this; b; b = b.parent)
      if (b.pending.calls > 0 || b.pending.tokens > 0) return true;
    return false;
  }

  /** Resolves when a reservation here or in a parent is released; rejects with AbortedError on abort. */
  released(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new AbortedError());
      const chain: Budget[] = [];
      for (let b: Budget | undefined = this; b; b = b.parent) chain.push(b);
      const done = () => {
        for (const b of chain) b.wakers.delete(wake);
        signal?.removeEventListener("abort", onAbort);
      };
      const wake = () => (done(), resolve());
      const onAbort = () => (done(), reject(new AbortedError()));
      for (const b of chain) b.wakers.add(wake);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * Throws BudgetExceededError (time_ms) when `waitMs` from now a time limit, here or in a parent, is
   * reached: a retry that would have to wait past the deadline is not waited for.
   */
  checkTime(waitMs = 0): void {
    const left = this.remainingMs();
    if (left !== undefined && left <= waitMs) throw this.timeExceeded(waitMs);
  }

  /** The error for the time limit (here or in a parent) with the least time left, `waitMs` from now. */
  timeExceeded(waitMs = 0): BudgetExceededError {
    let binding: Budget | undefined;
    for (let b: Budget | undefined = this; b; b = b.parent)
      if (
        b.limits.time_ms !== undefined &&
        (!binding || b.limits.time_ms - b.elapsedMs() < binding.limits.time_ms! - binding.elapsedMs())
      )
        binding = b;
    const max = binding?.limits.time_ms ?? 0;
    return new BudgetExceededError({ limit: "time_ms", max, used: (binding ?? this).elapsedMs() + waitMs });
  }

  /** Milliseconds left before the time limit, or undefined. */
  remainingMs(): number | undefined {
    const own = this.limits.time_ms === undefined ? undefined : this.limits.time_ms - this.elapsedMs();
    const parent = this.parent?.remainingMs();
    if (own === undefined) return parent;
    return parent === undefined ? own : Math.min(own, parent);
  }

  charge(usage: Partial<Usage>): void {
    this.used.tokens += usage.total_tokens ?? (usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0);
    this.used.calls += usage.calls ?? 0;
    this.used.cost_usd += usage.cost_usd ?? 0;
    this.parent?.charge(usage);
  }

  private fail(limit: BudgetLimit, max: number, used: number, needed?: number, held?: number): never {
    throw new BudgetExceededError({ limit, max, used, needed, held });
  }
}
