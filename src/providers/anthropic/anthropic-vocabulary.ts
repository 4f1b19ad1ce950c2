import type { FinishReason } from "../../core/types.ts";

/**
 * Anthropic's stop reasons and the OpenAI finish reasons they mean, in one table for both directions:
 * the driver reads Anthropic's answers with it, the proxy's /v1/messages writes them with it. Where
 * two Anthropic reasons share a finish reason, the first listed is the one written.
 */
export const STOP_REASONS = [
  ["end_turn", "stop"],
  ["stop_sequence", "stop"],
  ["max_tokens", "length"],
  ["tool_use", "tool_calls"],
  ["refusal", "content_filter"],
] as const;

export type AnthropicStopReason = (typeof STOP_REASONS)[number][0];

/** Anthropic's `tool_choice` types and OpenAI's `tool_choice` strings (`tool` ↔ a named function). */
export const TOOL_CHOICES = [
  ["auto", "auto"],
  ["any", "required"],
  ["none", "none"],
] as const;

/** An Anthropic stop reason as an OpenAI finish reason (unknown ones pass through; none is `stop`). */
export function finishReasonOf(stop: string | null | undefined): FinishReason {
  if (stop == null) return "stop";
  return STOP_REASONS.find(([anthropic]) => anthropic === stop)?.[1] ?? stop;
}

/** A finish reason as the Anthropic stop reason that means it, if one does. */
export function stopReasonOf(finish: FinishReason): AnthropicStopReason | undefined {
  const openai = finish === "function_call" ? "tool_calls" : finish;
  return STOP_REASONS.find(([, f]) => f === openai)?.[0];
}
