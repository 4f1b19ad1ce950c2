import { UpstreamError } from "../../core/errors/upstream-error.ts";
import type { AssistantMessage, ChatRequest, Choice, ContentPart, ToolCall } from "../../core/types.ts";
import type { DriverResult, DriverUsage } from "../provider-driver.ts";
import { checkedUsage } from "../upstream-reply/checked-usage.ts";
import { splitThink } from "../reasoning/think-splitter.ts";
import { estimateUsage } from "./estimate-usage.ts";

type Json = Record<string, any>;

/** Throws the UpstreamError for a reply that is not what the API promises. */
export type Malformed = (message: string) => UpstreamError;

export const malformedFor =
  (provider: string): Malformed =>
  (message) =>
    new UpstreamError({ provider, failure: "malformed", message });

/**
 * A chat.completions response body as a DriverResult. Message fields lmx does not know
 * (refusal, annotations) are kept; a body whose choices, content or tool calls
 * have the wrong shape is "malformed", and usage is checked (see checkedUsage).
 */
export function openaiResult(options: { body: unknown; request: ChatRequest; provider: string }): DriverResult {
  const { body, request, provider } = options;
  const malformed = malformedFor(provider);
  if (typeof body === "string") throw malformed(`the response was not JSON: ${snippet(body)}`);
  if (!isObject(body))
    throw malformed(
      `the response was ${body === null ? "null" : Array.isArray(body) ? "an array" : typeof body}, not a JSON object`,
    );
  const b = body as Json;
  if (!Array.isArray(b.choices)) {
    const said = typeof b.error?.message === "string" ? ` (it said: ${b.error.message})` : "";
    throw malformed(`the response has no "choices" array${said}: ${snippet(JSON.stringify(b))}`);
  }
  const choices = (b.choices as unknown[])
    .map((c, k): Choice => {
      if (!isObject(c) || !isObject(c.message)) throw malformed(`choice ${k} has no message`);
      return {
        index: choiceIndex(c.index, k, malformed),
        message: assistantMessage(c.message, malformed, `choice ${k}`),
        finish_reason: finishReason(c.finish_reason, malformed, `choice ${k}`),
        logprobs: logprobs(c.logprobs, malformed, `choice ${k}`),
      };
    })
    .sort((x, y) => x.index - y.index);
  return {
    choices,
    usage: isObject(b.usage)
      ? openaiUsage(b.usage, () => estimateUsage({ request, choices }))
      : estimateUsage({ request, choices }),
    id: typeof b.id === "string" ? b.id : undefined,
    model: typeof b.model === "string" ? b.model : undefined,
    system_fingerprint: typeof b.system_fingerprint === "string" ? b.system_fingerprint : null,
  };
}

/**
 * OpenAI usage → lmx's, checked; cached prompt tokens from `prompt_tokens_details` (DeepSeek: `prompt_cache_hit_tokens`),
 * reasoning tokens from `completion_tokens_details`.
 */
export function openaiUsage(usage: Json, estimate: () => DriverUsage): DriverUsage {
  return checkedUsage(
    {
      prompt_tokens: usage.prompt_tokens,
      completion_tokens: usage.completion_tokens,
      cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens,
      reasoning_tokens: usage.completion_tokens_details?.reasoning_tokens,
    },
    estimate,
  );
}

/**
 * An upstream message in lmx's shape: content a string or null, empty tool_calls dropped, extras kept.
 * Reasoning goes to `reasoning_content`: the field DeepSeek-style servers send (`reasoning` on vLLM and
 * OpenRouter), or a `<think>` block at the start of the content (local servers), split off the answer.
 */
export function assistantMessage(message: Json, malformed: Malformed, where: string): AssistantMessage {
  const { tool_calls, content, reasoning_content, reasoning, ...rest } = message;
  const out: AssistantMessage = { ...rest, role: "assistant", content: contentOf(content, malformed, where) };
  const sent = reasoningOf(reasoning_content, malformed, where) ?? reasoningOf(reasoning, malformed, where);
  if (sent) out.reasoning_content = sent;
  else if (typeof out.content === "string") {
    const split = splitThink(out.content);
    if (split.reasoning !== undefined) {
      out.content = split.content;
      if (split.reasoning) out.reasoning_content = split.reasoning;
    }
  }
  if (tool_calls != null) {
    if (!Array.isArray(tool_calls)) throw malformed(`${where}: tool_calls is not an array`);
    if (tool_calls.length > 0)
      out.tool_calls = tool_calls.map((t, i) => toolCall(t, i, malformed, `${where} tool call ${i}`));
  }
  return out;
}

/** A reasoning field: a string or absent; anything else is malformed. */
export function reasoningOf(value: unknown, malformed: Malformed, where: string): string | undefined {
  if (value == null) return undefined;
  if (typeof value !== "string") throw malformed(`${where}: reasoning_content is not a string`);
  return value;
}

/** Content as a string or null: a string, null, or an array of content parts whose text is joined. */
function contentOf(content: unknown, malformed: Malformed, where: string): string | null {
  if (content == null) return null;
  if (typeof content === "string") return content;
  if (!Array.isArray(content))
    throw malformed(`${where}: content is ${typeof content}, not a string, null or an array of parts`);
  const texts: string[] = [];
  content.forEach((part: unknown, i) => {
    if (!isObject(part) || typeof (part as ContentPart).type !== "string")
      throw malformed(`${where}: content part ${i} is not a {type, …} object`);
    if (part.type === "text") {
      if (typeof part.text !== "string") throw malformed(`${where}: text part ${i} has no text string`);
      if (part.text) texts.push(part.text);
    }
  });
  return texts.join("\n");
}

function toolCall(t: unknown, i: number, malformed: Malformed, where: string): ToolCall {
  if (!isObject(t) || !isObject(t.function) || typeof t.function.name !== "string" || t.function.name === "")
    throw malformed(`${where} has no function name`);
  const args = t.function.arguments;
  if (args != null && typeof args !== "string" && !isObject(args))
    throw malformed(`${where}: arguments are neither a JSON string nor an object`);
  if (t.id != null && typeof t.id !== "string") throw malformed(`${where}: id is not a string`);
  return {
    ...t,
    id: t.id ?? `call_${i}`,
    type: "function",
    function: { name: t.function.name, arguments: typeof args === "string" ? args : JSON.stringify(args ?? {}) },
  };
}

function choiceIndex(index: unknown, k: number, malformed: Malformed): number {
  if (index == null) return k;
  if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index > 10_000)
    throw malformed(`choice ${k} has an index that is not a small integer`);
  return index;
}

function finishReason(reason: unknown, malformed: Malformed, where: string): string {
  if (reason == null) return "stop";
  if (typeof reason !== "string") throw malformed(`${where}: finish_reason is not a string`);
  return reason;
}

function logprobs(value: unknown, malformed: Malformed, where: string): Choice["logprobs"] {
  if (value == null) return null;
  if (!isObject(value) || (value.content != null && !Array.isArray(value.content)))
    throw malformed(`${where}: logprobs is not {content: [...]}`);
  return value as Choice["logprobs"];
}

export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function snippet(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
