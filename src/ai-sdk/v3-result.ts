import type {
  LanguageModelV3Content,
  LanguageModelV3FinishReason,
  LanguageModelV3GenerateResult,
  LanguageModelV3Usage,
} from "@ai-sdk/provider";
import type { AssistantMessage, ChatRequest, FinishReason, ToolCall } from "../core/types.ts";
import type { DriverResult, DriverUsage } from "../providers/provider-driver.ts";
import { estimateUsage } from "../providers/openai/estimate-usage.ts";

const FROM_UNIFIED: Record<LanguageModelV3FinishReason["unified"], FinishReason | undefined> = {
  stop: "stop",
  length: "length",
  "content-filter": "content_filter",
  "tool-calls": "tool_calls",
  error: "error",
  other: undefined,
};

/** An AI SDK finish reason as OpenAI's (`other` keeps the provider's raw word). */
export function finishReasonFromV3(reason: LanguageModelV3FinishReason): FinishReason {
  return FROM_UNIFIED[reason.unified] ?? reason.raw ?? "stop";
}

/** AI SDK usage as the driver's; undefined counts are 0. */
export function usageFromV3(usage: LanguageModelV3Usage): DriverUsage {
  return {
    prompt_tokens: usage.inputTokens.total ?? 0,
    completion_tokens: usage.outputTokens.total ?? 0,
    cached_tokens: usage.inputTokens.cacheRead ?? 0,
    reasoning_tokens: usage.outputTokens.reasoning,
  };
}

/** The assistant message of V3 content: text joined, reasoning as `reasoning_content`, tool calls in OpenAI form. */
export function messageFromV3(content: LanguageModelV3Content[]): AssistantMessage {
  let text = "";
  let reasoning = "";
  const calls: ToolCall[] = [];
  for (const part of content) {
    if (part.type === "text") text += part.text;
    else if (part.type === "reasoning") reasoning += part.text;
    else if (part.type === "tool-call" && !part.providerExecuted)
      calls.push({ id: part.toolCallId, type: "function", function: { name: part.toolName, arguments: part.input } });
  }
  const message: AssistantMessage = { role: "assistant", content: text || (calls.length ? null : "") };
  if (calls.length) message.tool_calls = calls;
  if (reasoning) message.reasoning_content = reasoning;
  return message;
}

/** A doGenerate result as one driver call's result (usage estimated when the provider reported none). */
export function driverResultFromV3(result: LanguageModelV3GenerateResult, request: ChatRequest): DriverResult {
  const choices = [
    {
      index: 0,
      message: messageFromV3(result.content),
      finish_reason: finishReasonFromV3(result.finishReason),
      logprobs: null,
    },
  ];
  const reported = result.usage.inputTokens.total !== undefined || result.usage.outputTokens.total !== undefined;
  return {
    choices,
    usage: reported ? usageFromV3(result.usage) : estimateUsage({ request, choices }),
    id: result.response?.id,
    model: result.response?.modelId,
  };
}
