import type { Choice } from "../core/types.ts";

/** The finish reasons OpenAI's chat completions API defines; a client may switch on exactly these. */
const OPENAI_REASONS = new Set(["stop", "length", "tool_calls", "content_filter", "function_call"]);

/**
 * A choice's finish reason as OpenAI clients may see it, and lmx's own when that is another:
 * a budget stop is `length` (the answer was cut short by a limit), a partial vote or an abort is `stop`.
 * lmx's reason rides apart (`lmx_finish_reason` on the choice, `x-lmx-finish-reason`).
 */
export function wireFinishReason(reason: Choice["finish_reason"]): { finish_reason: string; lmx?: string } {
  if (OPENAI_REASONS.has(reason)) return { finish_reason: reason };
  return { finish_reason: reason === "budget" ? "length" : "stop", lmx: reason };
}

/** `finish_reason` plus, when lmx's differs, `lmx_finish_reason`: the fields of one choice on the wire. */
export function finishFields(reason: Choice["finish_reason"]): { finish_reason: string; lmx_finish_reason?: string } {
  const { finish_reason, lmx } = wireFinishReason(reason);
  return lmx === undefined ? { finish_reason } : { finish_reason, lmx_finish_reason: lmx };
}
