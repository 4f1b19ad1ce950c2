import type {
  LanguageModelV3Content,
  LanguageModelV3FinishReason,
  LanguageModelV3GenerateResult,
  LanguageModelV3Usage,
  SharedV3Warning,
} from "@ai-sdk/provider";
import type { ChatResult, FinishReason, Usage } from "../core/types.ts";

const TO_UNIFIED: Record<string, LanguageModelV3FinishReason["unified"]> = {
  stop: "stop",
  length: "length",
  tool_calls: "tool-calls",
  function_call: "tool-calls",
  content_filter: "content-filter",
  error: "error",
};

/** OpenAI's finish reason (or lmx's `budget` / `aborted`, which are `other`) as the AI SDK's. */
export function finishReasonToV3(reason: FinishReason): LanguageModelV3FinishReason {
  return { unified: TO_UNIFIED[reason] ?? "other", raw: reason };
}

/** lmx usage (all calls of a run) as the AI SDK's, with lmx's own figures in `raw`. */
export function usageToV3(usage: Usage): LanguageModelV3Usage {
  return {
    inputTokens: {
      total: usage.prompt_tokens,
      noCache: usage.prompt_tokens - usage.cached_tokens,
      cacheRead: usage.cached_tokens,
      cacheWrite: undefined,
    },
    outputTokens: {
      total: usage.completion_tokens,
      text: usage.completion_tokens - (usage.reasoning_tokens ?? 0),
      reasoning: usage.reasoning_tokens,
    },
    raw: { ...usage, replayed: usage.replayed && { ...usage.replayed } },
  };
}

/** lmx's accounting of a run, as AI SDK provider metadata under `lmx`. */
export function lmxMetadata(result: ChatResult) {
  return {
    lmx: {
      calls: result.usage.calls,
      cost_usd: result.usage.cost_usd,
      cache_hits: result.usage.cache_hits,
      ...(result.trace_id ? { trace_id: result.trace_id } : {}),
    },
  };
}

/** The content of a result's first choice in V3 form: reasoning, text, tool calls. */
export function contentToV3(result: ChatResult): LanguageModelV3Content[] {
  const message = result.choices[0]?.message;
  const content: LanguageModelV3Content[] = [];
  if (!message) return content;
  if (typeof message.reasoning_content === "string" && message.reasoning_content)
    content.push({ type: "reasoning", text: message.reasoning_content });
  if (message.content) content.push({ type: "text", text: message.content });
  for (const t of message.tool_calls ?? [])
    content.push({ type: "tool-call", toolCallId: t.id, toolName: t.function.name, input: t.function.arguments });
  return content;
}

/** A ChatResult as a doGenerate result. */
export function resultToV3(result: ChatResult, warnings: SharedV3Warning[]): LanguageModelV3GenerateResult {
  return {
    content: contentToV3(result),
    finishReason: finishReasonToV3(result.choices[0]?.finish_reason ?? "stop"),
    usage: usageToV3(result.usage),
    providerMetadata: lmxMetadata(result),
    response: { id: result.id, modelId: result.model, timestamp: new Date(result.created * 1000) },
    warnings,
  };
}
