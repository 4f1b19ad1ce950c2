import type { ChatResult, FinishReason, Usage } from "../../core/types.ts";
import { accountingHeaders, openaiUsage } from "../openai-shapes.ts";
import { finishFields } from "../wire-finish-reason.ts";
import { echoed, type CompletionsState } from "./completions-request.ts";

/** The finish reasons the Completions API defines; a client may switch on exactly these. */
const TEXT_REASONS = new Set(["stop", "length", "content_filter"]);

/**
 * `finish_reason` as the Completions API has it, plus lmx's own in `lmx_finish_reason` when that is
 * another: as on chat (a budget stop is `length`, a partial vote or an abort `stop`), and chat's
 * `tool_calls`, which this API has no name for, is `stop`.
 */
export function textFinishFields(reason: FinishReason): { finish_reason: string; lmx_finish_reason?: string } {
  const fields = finishFields(reason);
  return TEXT_REASONS.has(fields.finish_reason) ? fields : { finish_reason: "stop", lmx_finish_reason: reason };
}

/** Completions ids start with `cmpl-` (an upstream's `chatcmpl-` id trades its prefix for it). */
export function completionId(id: string): string {
  return id.startsWith("cmpl-") ? id : `cmpl-${id.replace(/^chatcmpl-/, "")}`;
}

/** lmx's accounting headers, with `x-lmx-finish-reason` as this API's finish reasons have it (the first choice's). */
export function completionHeaders(usage: Usage, traceId: string, result: ChatResult): Record<string, string> {
  const headers = accountingHeaders(usage, traceId);
  const first = result.choices[0];
  const lmx = first && textFinishFields(first.finish_reason).lmx_finish_reason;
  return lmx ? { ...headers, "x-lmx-finish-reason": lmx } : headers;
}

/**
 * A `text_completion` body: each choice's answer text (never its reasoning), after its prompt when
 * `echo` asked for it; `usage` counts every call of the request; `model` is the string the client sent.
 */
export function textCompletionBody(o: { result: ChatResult; model: string; usage: Usage; state: CompletionsState }) {
  const { result, state } = o;
  return {
    id: completionId(result.id),
    object: "text_completion" as const,
    created: result.created,
    model: o.model,
    choices: result.choices.map((c) => ({
      text: echoed(state, c.index) + (c.message.content ?? ""),
      index: c.index,
      logprobs: null,
      ...textFinishFields(c.finish_reason),
    })),
    usage: openaiUsage(o.usage),
    system_fingerprint: result.system_fingerprint ?? null,
  };
}
