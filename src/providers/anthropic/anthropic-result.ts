import { UpstreamError } from "../../core/errors/upstream-error.ts";
import type { AssistantMessage, FinishReason, ToolCall } from "../../core/types.ts";
import type { DriverResult, DriverUsage } from "../provider-driver.ts";

type Json = Record<string, any>;

/**
 * A Messages API response as a DriverResult: text blocks joined into `content`, tool_use blocks as
 * OpenAI tool_calls, thinking as `reasoning_content`. A body without a content array is "malformed".
 */
export function anthropicResult(options: { body: unknown; provider: string; json?: boolean }): DriverResult {
  const { body, provider } = options;
  if (!body || typeof body !== "object" || !Array.isArray((body as Json).content)) {
    const what = typeof body === "string" ? `not JSON: ${body.slice(0, 200)}` : `missing its "content" array: ${JSON.stringify(body)?.slice(0, 200)}`;
    throw new UpstreamError({ provider, failure: "malformed", message: `the response was ${what}` });
  }
  const b = body as Json;
  let text = "";
  let thinking = "";
  const calls: ToolCall[] = [];
  for (const block of b.content as Json[]) {
    if (block.type === "text") text += block.text ?? "";
    else if (block.type === "thinking") thinking += block.thinking ?? "";
    else if (block.type === "tool_use") calls.push({ id: block.id, type: "function", function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
  }
  return {
    choices: [{ index: 0, message: assistantMessage({ text, thinking, calls, json: options.json }), finish_reason: finishReason(b.stop_reason) }],
    usage: anthropicUsage(b.usage ?? {}),
    id: b.id,
    model: b.model,
  };
}

export function assistantMessage(o: { text: string; thinking: string; calls: ToolCall[]; json?: boolean }): AssistantMessage {
  const text = o.json ? unfence(o.text) : o.text;
  return {
    role: "assistant",
    content: text === "" && o.calls.length > 0 ? null : text,
    ...(o.calls.length > 0 ? { tool_calls: o.calls } : {}),
    ...(o.thinking ? { reasoning_content: o.thinking } : {}),
  };
}

/**
 * Anthropic's `input_tokens` leave out cache reads and writes; lmx's prompt_tokens include them
 * (as OpenAI's do), with the reads also counted as cached_tokens.
 */
export function anthropicUsage(u: Json): DriverUsage {
  const cached = u.cache_read_input_tokens ?? 0;
  return { prompt_tokens: (u.input_tokens ?? 0) + cached + (u.cache_creation_input_tokens ?? 0), completion_tokens: u.output_tokens ?? 0, cached_tokens: cached };
}

export function finishReason(stop: string | null | undefined): FinishReason {
  if (stop === "end_turn" || stop === "stop_sequence" || stop == null) return "stop";
  if (stop === "max_tokens") return "length";
  if (stop === "tool_use") return "tool_calls";
  if (stop === "refusal") return "content_filter";
  return stop;
}

/** A JSON answer wrapped in a ```json fence (models asked in words sometimes add one) without it. */
function unfence(text: string): string {
  const m = /^\s*```[\w-]*\s*\n([\s\S]*?)\n?```\s*$/.exec(text);
  return m ? m[1]! : text;
}
