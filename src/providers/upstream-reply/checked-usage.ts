import type { DriverUsage } from "../provider-driver.ts";

/**
 * More tokens than any one call can plausibly use: a count above it is a broken upstream, and taking
 * it on trust would exhaust (or, for a huge float, poison) a budget in one call.
 */
export const MAX_TOKENS_PER_CALL = 100_000_000;

/** A token count as an upstream reported it: a non-negative integer within reason, else undefined. */
export function tokenCount(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_TOKENS_PER_CALL
    ? value
    : undefined;
}

/** The counts an upstream reported, unchecked; `undefined`/`null` means it left the field out (0). */
export interface ReportedCounts {
  prompt_tokens: unknown;
  completion_tokens: unknown;
  cached_tokens?: unknown;
  /** Reasoning tokens (OpenAI's `completion_tokens_details.reasoning_tokens`), a part of completion_tokens. */
  reasoning_tokens?: unknown;
}

/**
 * Usage from an upstream, never taken on trust: every count must be a non-negative integer (not
 * "10", -5 or 1e308). A count that is not is replaced by lmx's estimate and the usage is marked
 * `estimated`, so budgets and totals stay numbers that mean something.
 */
export function checkedUsage(reported: ReportedCounts, estimate: () => DriverUsage): DriverUsage {
  let estimated = false;
  let guess: DriverUsage | undefined;
  const field = (value: unknown, pick: (u: DriverUsage) => number): number => {
    if (value == null) return 0;
    const count = tokenCount(value);
    if (count !== undefined) return count;
    estimated = true;
    return pick((guess ??= estimate()));
  };
  const prompt_tokens = field(reported.prompt_tokens, (u) => u.prompt_tokens);
  const completion_tokens = field(reported.completion_tokens, (u) => u.completion_tokens);
  // Cached tokens are a part of the prompt: an unusable figure counts none as cached (the dearer reading).
  const cached = field(reported.cached_tokens, () => 0);
  const usage: DriverUsage = { prompt_tokens, completion_tokens, cached_tokens: Math.min(cached, prompt_tokens) };
  // Reasoning tokens are a part of the completion: an unusable figure counts none, and never more than the completion.
  const reasoning = Math.min(
    field(reported.reasoning_tokens, () => 0),
    completion_tokens,
  );
  if (reasoning > 0) usage.reasoning_tokens = reasoning;
  if (estimated) usage.estimated = true;
  return usage;
}
