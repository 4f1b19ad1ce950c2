import {
  APICallError,
  type LanguageModelV3,
  type LanguageModelV3Content,
  type LanguageModelV3StreamPart,
} from "@ai-sdk/provider";
import { UpstreamError } from "../core/errors/upstream-error.ts";
import type { Capabilities, ChatRequest, LM } from "../core/types.ts";
import { defineProvider, type ProviderOptions } from "../providers/define-provider.ts";
import { retryAfterSeconds } from "../providers/openai/retry-after.ts";
import type { DriverResult, DriverStreamEvent, ProviderDriver } from "../providers/provider-driver.ts";
import { requestToV3 } from "./request-to-v3.ts";
import { driverResultFromV3 } from "./v3-result.ts";

export interface AiSdkModelAsLMOptions extends ProviderOptions {
  /** Provider part of the LM's id (default: the AI SDK provider's first word, e.g. `openai` of `openai.chat`), used for prices. */
  provider?: string;
}

const CAPABILITIES: Capabilities = {
  nativeN: false,
  logprobs: false,
  tools: true,
  streaming: true,
  constrainedOutput: true,
};

/**
 * An AI SDK language model (LanguageModelV3) as an lmx LM. Every call goes through defineProvider, so
 * budgets, traces, retries, concurrency limits, caching and `n` (as separate calls) hold as for any
 * provider. Requests and results are converted both ways, tool calls and finish reasons included.
 */
export function aiSdkModelAsLM(model: LanguageModelV3, options: AiSdkModelAsLMOptions = {}): LM {
  const { provider = model.provider.split(".")[0] || "ai-sdk", ...providerOptions } = options;
  const fail = (error: unknown) => upstreamError(error, provider);

  const driver: ProviderDriver = {
    provider,
    model: model.modelId,
    capabilities: CAPABILITIES,
    async complete(request, o): Promise<DriverResult> {
      try {
        return driverResultFromV3(await model.doGenerate(requestToV3(withSeed(request, o.seed), o.signal)), request);
      } catch (error) {
        throw fail(error);
      }
    },
    async *stream(request, o): AsyncIterable<DriverStreamEvent> {
      let reader: ReadableStreamDefaultReader<LanguageModelV3StreamPart> | undefined;
      try {
        reader = (await model.doStream(requestToV3(withSeed(request, o.seed), o.signal))).stream.getReader();
        yield* streamEvents(reader, request);
      } catch (error) {
        throw fail(error);
      } finally {
        reader?.releaseLock();
      }
    },
  };
  return defineProvider(driver, providerOptions);
}

function withSeed(request: ChatRequest, seed: number | undefined): ChatRequest {
  return seed === undefined ? request : { ...request, seed };
}

async function* streamEvents(
  reader: ReadableStreamDefaultReader<LanguageModelV3StreamPart>,
  request: ChatRequest,
): AsyncIterable<DriverStreamEvent> {
  const content: LanguageModelV3Content[] = [];
  // Tool calls streamed so far, by the provider's id → their OpenAI index.
  const tools = new Map<string, number>();
  const toolDelta = (
    id: string,
    call: { id?: string; type?: "function"; function: { name?: string; arguments: string } },
  ): DriverStreamEvent => {
    if (!tools.has(id)) tools.set(id, tools.size);
    return { type: "delta", index: 0, tool_calls: [{ index: tools.get(id)!, ...call }] };
  };
  let id: string | undefined;
  let modelId: string | undefined;
  for (;;) {
    const { done, value: part } = await reader.read();
    if (done) break;
    switch (part.type) {
      case "text-delta":
        content.push({ type: "text", text: part.delta });
        yield { type: "delta", index: 0, content: part.delta };
        break;
      case "reasoning-delta":
        content.push({ type: "reasoning", text: part.delta });
        if (part.delta) yield { type: "delta", index: 0, reasoning: part.delta };
        break;
      case "tool-input-start":
        if (!part.providerExecuted)
          yield toolDelta(part.id, { id: part.id, type: "function", function: { name: part.toolName, arguments: "" } });
        break;
      case "tool-input-delta":
        if (tools.has(part.id)) yield toolDelta(part.id, { function: { arguments: part.delta } });
        break;
      case "tool-call":
        if (part.providerExecuted) break;
        content.push(part);
        if (!tools.has(part.toolCallId))
          yield toolDelta(part.toolCallId, {
            id: part.toolCallId,
            type: "function",
            function: { name: part.toolName, arguments: part.input },
          });
        break;
      case "response-metadata":
        id ??= part.id;
        modelId ??= part.modelId;
        break;
      case "error":
        throw part.error;
      case "finish": {
        const result = driverResultFromV3(
          { content, finishReason: part.finishReason, usage: part.usage, warnings: [] },
          request,
        );
        yield { type: "done", result: { ...result, id, model: modelId } };
        return;
      }
    }
  }
  throw new UpstreamError({
    provider: "ai-sdk",
    failure: "malformed",
    message: "the stream ended without a finish part",
  });
}

/** AI SDK call errors as typed upstream errors (status and Retry-After kept); others pass through. */
function upstreamError(error: unknown, provider: string): unknown {
  if (!APICallError.isInstance(error)) return error;
  return new UpstreamError({
    provider,
    failure: error.statusCode ? "http" : "connection",
    status: error.statusCode,
    message: error.message,
    // Seconds, milliseconds (retry-after-ms) or an HTTP date, read as for the SDK drivers.
    retryAfter: retryAfterSeconds({ headers: error.responseHeaders ? new Headers(error.responseHeaders) : undefined }),
    cause: error,
  });
}
