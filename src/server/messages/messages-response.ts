import type Anthropic from "@anthropic-ai/sdk";
import { UpstreamError } from "../../core/errors/upstream-error.ts";
import type { ChatResult, Choice, FinishReason, ToolCall, Usage } from "../../core/types.ts";
import { stopReasonOf, type AnthropicStopReason } from "../../providers/anthropic/anthropic-vocabulary.ts";
import { wireFinishReason } from "../wire-finish-reason.ts";

/**
 * A finish reason as Anthropic's stop_reason, and lmx's own when that is another: lmx's reasons go
 * through the OpenAI ones (a budget stop is `length`, so `max_tokens`; a partial vote or an abort is
 * `stop`, so `end_turn`), so both APIs say the same about a run.
 */
export function anthropicStopReason(reason: FinishReason): { stop_reason: AnthropicStopReason; lmx?: string } {
  const wire = wireFinishReason(reason);
  return { stop_reason: stopReasonOf(wire.finish_reason) ?? "end_turn", ...(wire.lmx ? { lmx: wire.lmx } : {}) };
}

/**
 * lmx's usage of a whole request in Anthropic's terms: Anthropic's input_tokens leave out cache reads
 * (lmx's prompt_tokens hold them, as OpenAI's do); cache writes are not told apart, so they stay in
 * input_tokens. Reasoning tokens, when counted, are the output's thinking_tokens.
 */
export function anthropicUsage(usage: Usage): Anthropic.Usage {
  return {
    input_tokens: Math.max(0, usage.prompt_tokens - usage.cached_tokens),
    output_tokens: usage.completion_tokens,
    cache_read_input_tokens: usage.cached_tokens,
    cache_creation_input_tokens: 0,
    cache_creation: null,
    output_tokens_details: usage.reasoning_tokens !== undefined ? { thinking_tokens: usage.reasoning_tokens } : null,
    server_tool_use: null,
    service_tier: null,
    inference_geo: null,
    speed: null,
  };
}

/** Anthropic message ids start with `msg_`; other ids get the prefix. */
export function messageId(id: string): string {
  return id.startsWith("msg_") ? id : `msg_${id}`;
}

/** The tool_use input of a tool call: its arguments, which must be a JSON object. */
export function toolInput(call: ToolCall, lm: string): Record<string, unknown> {
  const text = call.function.arguments.trim();
  if (!text) return {};
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch {
    input = undefined;
  }
  if (!input || typeof input !== "object" || Array.isArray(input))
    throw new UpstreamError({
      provider: lm,
      failure: "malformed",
      message: `the answer's call of tool "${call.function.name}" has arguments that are not a JSON object`,
    });
  return input as Record<string, unknown>;
}

/** The content blocks of a choice: thinking (with an empty signature: lmx has none to give), text, tool uses. */
export function contentBlocks(choice: Choice, lm: string): Anthropic.ContentBlock[] {
  const m = choice.message;
  const blocks: Anthropic.ContentBlock[] = [];
  if (m.reasoning_content) blocks.push({ type: "thinking", thinking: m.reasoning_content, signature: "" });
  if (m.content) blocks.push({ type: "text", text: m.content, citations: null });
  for (const call of m.tool_calls ?? [])
    blocks.push({
      type: "tool_use",
      id: call.id,
      name: call.function.name,
      input: toolInput(call, lm),
      caller: { type: "direct" },
    });
  return blocks;
}

/** A `message` body for the first choice of a result; `model` is the string the client sent. */
export function messageBody(options: {
  result: ChatResult;
  model: string;
  usage: Usage;
  lm: string;
}): Anthropic.Message & { lmx_finish_reason?: string } {
  const { result, model, usage } = options;
  const choice = result.choices[0];
  if (!choice)
    throw new UpstreamError({ provider: options.lm, failure: "malformed", message: "the answer has no choice" });
  const { stop_reason, lmx } = anthropicStopReason(choice.finish_reason);
  return {
    id: messageId(result.id),
    type: "message",
    role: "assistant",
    model,
    content: contentBlocks(choice, options.lm),
    stop_reason,
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: anthropicUsage(usage),
    ...(lmx ? { lmx_finish_reason: lmx } : {}),
  };
}
