import type { ReasoningEffort } from "../../core/types.ts";

/**
 * Most thinking tokens a local model may spend in its `<think>` block for each effort level, after which
 * the block is closed for it (none: closed at once; xhigh: no cap but the completion's).
 */
export const THINKING_CAP: Record<ReasoningEffort, number | undefined> = {
  none: 0,
  minimal: 256,
  low: 1024,
  medium: 4096,
  high: 16384,
  xhigh: undefined,
};

/** The thinking-token cap a request's reasoning_effort asks for, if any. */
export function thinkingCap(effort: ReasoningEffort | undefined): number | undefined {
  return effort === undefined ? undefined : THINKING_CAP[effort];
}
