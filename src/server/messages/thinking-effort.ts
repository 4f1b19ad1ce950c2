import type { ReasoningEffort } from "../../core/types.ts";

/** The thinking budget (tokens) at which each effort starts; a budget reads as the highest band it reaches. */
export const EFFORT_BANDS: readonly (readonly [ReasoningEffort, number])[] = [
  ["low", 0],
  ["medium", 4096],
  ["high", 16384],
  ["xhigh", 32768],
];

/** A thinking budget as a reasoning effort: under 4,096 tokens low, then medium, high from 16,384, xhigh from 32,768. */
export function effortOfBudget(budgetTokens: number): ReasoningEffort {
  let effort: ReasoningEffort = "low";
  for (const [band, from] of EFFORT_BANDS) if (budgetTokens >= from) effort = band;
  return effort;
}

/**
 * The core request's `reasoning_effort` for a Messages body: `output_config.effort` when set (`max`
 * is the top band, xhigh), else the band of `thinking.budget_tokens`. Disabled or adaptive thinking
 * sets none: the upstream's default applies.
 */
export function reasoningEffortOf(body: {
  thinking?: { type: string; budget_tokens?: number };
  output_config?: { effort?: string | null };
}): ReasoningEffort | undefined {
  const asked = body.output_config?.effort;
  if (asked) return asked === "max" ? "xhigh" : (asked as ReasoningEffort);
  if (body.thinking?.type === "enabled" && typeof body.thinking.budget_tokens === "number")
    return effortOfBudget(body.thinking.budget_tokens);
  return undefined;
}
