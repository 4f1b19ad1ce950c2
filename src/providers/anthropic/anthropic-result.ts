import { UpstreamError } from "../../core/errors/upstream-error.ts";
import type { AssistantMessage, ChatRequest, FinishReason, ToolCall } from "../../core/types.ts";
import { isObject, malformedFor, type Malformed } from "../openai/openai-result.ts";
import type { DriverResult, DriverUsage } from "../provider-driver.ts";
import { checkedUsage, tokenCount } from "../upstream-reply/checked-usage.ts";
import { estimateUsage } from "../openai/estimate-usage.ts";
import { finishReasonOf } from "./anthropic-vocabulary.ts";
import { estimateTextTokens } from "../../accounting/estimate-tokens.ts";

type Json = Record<string, any>;

/**
 * A Messages API response as a DriverResult: text blocks joined into `content`, tool_use blocks as
 * OpenAI tool_calls, thinking as `reasoning_content`. A body without a content array is "malformed".
 */
export function anthropicResult(options: {
  body: unknown;
  request: ChatRequest;
  provider: string;
  json?: boolean;
}): DriverResult {
  const { body, provider } = options;
  if (!body || typeof body !== "object" || !Array.isArray((body as Json).content)) {
    const what =
      typeof body === "string"
        ? `not JSON: ${body.slice(0, 200)}`
        : `missing its "content" array: ${JSON.stringify(body)?.slice(0, 200)}`;
    throw new UpstreamError({ provider, failure: "malformed", message: `the response was ${what}` });
  }
  const b = body as Json;
  const malformed = malformedFor(provider);
  let text = "";
  let thinking = "";
  const calls: ToolCall[] = [];
  const signed: Json[] = [];
  (b.content as unknown[]).forEach((block, i) => {
    if (!isObject(block) || typeof block.type !== "string")
      throw malformed(`content block ${i} is not a {type, …} object`);
    if (block.type === "text") text += stringField(block.text, malformed, `text block ${i}`);
    else if (block.type === "thinking") {
      const t = stringField(block.thinking, malformed, `thinking block ${i}`);
      thinking += t;
      if (typeof block.signature === "string" && block.signature)
        signed.push({ type: "thinking", thinking: t, signature: block.signature });
    } else if (block.type === "redacted_thinking" && typeof block.data === "string")
      signed.push({ type: "redacted_thinking", data: block.data });
    else if (block.type === "tool_use") calls.push(toolUse(block, malformed, `tool_use block ${i}`));
  });
  if (b.usage != null && !isObject(b.usage)) throw malformed("usage is not an object");
  const choices = [
    {
      index: 0,
      message: assistantMessage({ text, thinking, calls, json: options.json, signed }),
      finish_reason: finishReason(stopReason(b.stop_reason, malformed)),
    },
  ];
  return {
    choices,
    usage: anthropicUsage(b.usage ?? {}, () => estimateUsage({ request: options.request, choices }), thinking),
    id: typeof b.id === "string" ? b.id : undefined,
    model: typeof b.model === "string" ? b.model : undefined,
  };
}

/** A text field of a block: absent is "", anything but a string is malformed. */
export function stringField(value: unknown, malformed: Malformed, where: string): string {
  if (value == null) return "";
  if (typeof value !== "string") throw malformed(`${where}: not a string`);
  return value;
}

/** A tool_use block as an OpenAI tool call; it needs a string id and name, and an object input. */
export function toolUse(block: Json, malformed: Malformed, where: string): ToolCall {
  if (typeof block.id !== "string" || typeof block.name !== "string" || block.name === "")
    throw malformed(`${where} has no id and name strings`);
  if (block.input != null && !isObject(block.input)) throw malformed(`${where}: input is not an object`);
  return {
    id: block.id,
    type: "function",
    function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
  };
}

export function stopReason(value: unknown, malformed: Malformed): string | undefined {
  if (value == null) return undefined;
  if (typeof value !== "string") throw malformed("stop_reason is not a string");
  return value;
}

/**
 * The answer as an OpenAI message; thinking as `reasoning_content`, and the signed thinking blocks as
 * `anthropic_thinking`, which a follow-up turn sends back (the API requires them before tool use).
 */
export function assistantMessage(o: {
  text: string;
  thinking: string;
  calls: ToolCall[];
  json?: boolean;
  signed?: Json[];
}): AssistantMessage {
  const text = o.json ? unfence(o.text) : o.text;
  return {
    role: "assistant",
    content: text === "" && o.calls.length > 0 ? null : text,
    ...(o.calls.length > 0 ? { tool_calls: o.calls } : {}),
    ...(o.thinking ? { reasoning_content: o.thinking } : {}),
    ...(o.signed?.length ? { anthropic_thinking: o.signed } : {}),
  };
}

/**
 * Anthropic's `input_tokens` leave out cache reads and writes; lmx's prompt_tokens include them
 * (as OpenAI's do), with the reads also counted as cached_tokens. Thinking is a part of output_tokens
 * that the API does not count apart: its reasoning_tokens are estimated from the thinking text.
 */
export function anthropicUsage(u: Json, estimate: () => DriverUsage, thinking = ""): DriverUsage {
  const reads = tokenCount(u.cache_read_input_tokens);
  const writes = tokenCount(u.cache_creation_input_tokens);
  const unusable = (value: unknown, count: number | undefined) => value != null && count === undefined;
  const checked = checkedUsage({ prompt_tokens: u.input_tokens, completion_tokens: u.output_tokens }, estimate);
  const usage: DriverUsage = {
    prompt_tokens: checked.prompt_tokens + (reads ?? 0) + (writes ?? 0),
    completion_tokens: checked.completion_tokens,
    cached_tokens: reads ?? 0,
  };
  const reasoning = Math.min(Math.ceil(estimateTextTokens(thinking)), usage.completion_tokens);
  if (reasoning > 0) usage.reasoning_tokens = reasoning;
  if (
    checked.estimated ||
    unusable(u.cache_read_input_tokens, reads) ||
    unusable(u.cache_creation_input_tokens, writes)
  )
    usage.estimated = true;
  return usage;
}

export function finishReason(stop: string | null | undefined): FinishReason {
  return finishReasonOf(stop);
}

/** A JSON answer wrapped in a ```json fence (models asked in words sometimes add one) without it. */
function unfence(text: string): string {
  const m = /^\s*```[\w-]*\s*\n([\s\S]*?)\n?```\s*$/.exec(text);
  return m ? m[1]! : text;
}
