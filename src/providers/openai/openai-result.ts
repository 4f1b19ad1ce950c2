import { UpstreamError } from "../../core/errors/upstream-error.ts";
import { contentText } from "../../core/messages.ts";
import type { AssistantMessage, ChatRequest, Choice } from "../../core/types.ts";
import type { DriverResult, DriverUsage } from "../provider-driver.ts";
import { estimateUsage } from "./estimate-usage.ts";

type Json = Record<string, any>;

/**
 * A chat.completions response body as a DriverResult. Message fields lmx does not know
 * (refusal, reasoning_content, annotations) are kept; a body without choices is "malformed".
 */
export function openaiResult(options: { body: unknown; request: ChatRequest; provider: string }): DriverResult {
  const { body, request, provider } = options;
  const malformed = (message: string) => new UpstreamError({ provider, failure: "malformed", message });
  if (typeof body === "string") throw malformed(`the response was not JSON: ${snippet(body)}`);
  if (!body || typeof body !== "object") throw malformed(`the response was ${body === null ? "null" : typeof body}, not a JSON object`);
  const b = body as Json;
  if (!Array.isArray(b.choices)) {
    const said = typeof b.error?.message === "string" ? ` (it said: ${b.error.message})` : "";
    throw malformed(`the response has no "choices" array${said}: ${snippet(JSON.stringify(b))}`);
  }
  const choices = (b.choices as Json[])
    .map((c, k): Choice => {
      if (!c || typeof c.message !== "object" || c.message === null) throw malformed(`choice ${k} has no message`);
      return { index: typeof c.index === "number" ? c.index : k, message: assistantMessage(c.message), finish_reason: c.finish_reason ?? "stop", logprobs: c.logprobs ?? null };
    })
    .sort((x, y) => x.index - y.index);
  return {
    choices,
    usage: b.usage ? openaiUsage(b.usage) : estimateUsage({ request, choices }),
    id: typeof b.id === "string" ? b.id : undefined,
    model: typeof b.model === "string" ? b.model : undefined,
    system_fingerprint: b.system_fingerprint,
  };
}

/** OpenAI usage → lmx's; cached prompt tokens from `prompt_tokens_details` (DeepSeek: `prompt_cache_hit_tokens`). */
export function openaiUsage(usage: Json): DriverUsage {
  return {
    prompt_tokens: usage.prompt_tokens ?? 0,
    completion_tokens: usage.completion_tokens ?? 0,
    cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens ?? 0,
  };
}

/** An upstream message in lmx's shape: content a string or null, empty tool_calls dropped, extras kept. */
export function assistantMessage(message: Json): AssistantMessage {
  const { tool_calls, content, ...rest } = message;
  const out: AssistantMessage = { ...rest, role: "assistant", content: content == null ? null : typeof content === "string" ? content : contentText(content) };
  if (Array.isArray(tool_calls) && tool_calls.length > 0) out.tool_calls = tool_calls;
  return out;
}

function snippet(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
