import type { LanguageModelV3, LanguageModelV3CallOptions, LanguageModelV3StreamPart } from "@ai-sdk/provider";
import type { BudgetLimits } from "../budget/budget.ts";
import { createRunContext } from "../core/context.ts";
import type { ChatRequest, LM, RunContext } from "../core/types.ts";
import { contentToV3, finishReasonToV3, lmxMetadata, resultToV3, usageToV3 } from "./result-to-v3.ts";
import { requestFromV3 } from "./v3-to-request.ts";

export interface LmAsAiSdkModelOptions {
  /** Budget of each call (a call may also set `providerOptions.lmx.budget`). */
  budget?: BudgetLimits;
  /** Base seed of each run. */
  seed?: number;
  /** Progress reports of techniques (also sent as `raw` stream parts when raw chunks are asked for). */
  onProgress?: (data: Record<string, unknown>) => void;
  /** Carry the caller's `providerOptions` and `headers` in the request's `lmx` field (lmxMiddleware hands them to the wrapped model). */
  forwardProviderOptions?: boolean;
  /** Provider name the AI SDK shows (default "lmx"). */
  provider?: string;
}

/**
 * Any lmx LM (a model, or a technique over one) as an AI SDK LanguageModelV3, for `generateText`,
 * `streamText` and friends. Usage covers every internal call; lmx's calls, cost and trace id are in
 * `providerMetadata.lmx`. Streaming forwards the LM's deltas as they come.
 */
export function lmAsAiSdkModel(lm: LM, options: LmAsAiSdkModelOptions = {}): LanguageModelV3 {
  function prepare(params: LanguageModelV3CallOptions) {
    const { request, warnings } = requestFromV3(params);
    if (options.forwardProviderOptions && (params.providerOptions || params.headers))
      request.lmx = { ai_sdk: { providerOptions: params.providerOptions, headers: params.headers } };
    const own = params.providerOptions?.lmx as { budget?: BudgetLimits } | undefined;
    const ctx = createRunContext({
      name: lm.id,
      budget: own?.budget ?? options.budget,
      signal: params.abortSignal,
      seed: options.seed,
      onProgress: options.onProgress,
    });
    return { request, warnings, ctx };
  }

  return {
    specificationVersion: "v3",
    provider: options.provider ?? "lmx",
    modelId: lm.id,
    supportedUrls: {},
    async doGenerate(params) {
      const { request, warnings, ctx } = prepare(params);
      return { ...resultToV3(await lm.complete(request, ctx), warnings), request: { body: request } };
    },
    async doStream(params) {
      const { request, warnings, ctx } = prepare(params);
      const stream = new ReadableStream<LanguageModelV3StreamPart>({
        async start(controller) {
          try {
            await pump(
              lm,
              request,
              ctx,
              params.includeRawChunks === true,
              (part) => controller.enqueue(part),
              warnings,
            );
          } catch (error) {
            controller.enqueue({ type: "error", error });
          }
          controller.close();
        },
      });
      return { stream, request: { body: request } };
    },
  };
}

/** Runs the LM's stream and writes V3 stream parts: text as it comes, tool calls, progress, finish. */
async function pump(
  lm: LM,
  request: ChatRequest,
  ctx: RunContext,
  raw: boolean,
  write: (part: LanguageModelV3StreamPart) => void,
  warnings: ReturnType<typeof requestFromV3>["warnings"],
): Promise<void> {
  write({ type: "stream-start", warnings });
  let textOpen = false;
  let sawText = false;
  let reasoningOpen = false;
  let sawReasoning = false;
  const streamedTools = new Map<number, { id: string; name: string; args: string }>();
  const progressCtx: RunContext = raw
    ? {
        ...ctx,
        onProgress: (data) => (ctx.onProgress?.(data), write({ type: "raw", rawValue: { lmx: { progress: data } } })),
      }
    : ctx;
  for await (const event of lm.stream(request, progressCtx)) {
    if (event.type === "progress") {
      if (raw) write({ type: "raw", rawValue: { lmx: { progress: event.data } } });
    } else if (event.type === "delta") {
      if (event.index !== 0) continue;
      if (event.reasoning) {
        if (!reasoningOpen) write({ type: "reasoning-start", id: "reasoning-0" });
        reasoningOpen = sawReasoning = true;
        write({ type: "reasoning-delta", id: "reasoning-0", delta: event.reasoning });
      }
      if (event.content) {
        if (reasoningOpen) write({ type: "reasoning-end", id: "reasoning-0" });
        reasoningOpen = false;
        if (!textOpen) write({ type: "text-start", id: "text-0" });
        textOpen = sawText = true;
        write({ type: "text-delta", id: "text-0", delta: event.content });
      }
      for (const t of event.tool_calls ?? []) {
        let call = streamedTools.get(t.index);
        if (!call) {
          call = { id: t.id ?? `call_${t.index}`, name: t.function?.name ?? "", args: "" };
          streamedTools.set(t.index, call);
          write({ type: "tool-input-start", id: call.id, toolName: call.name });
        }
        if (t.function?.arguments) {
          call.args += t.function.arguments;
          write({ type: "tool-input-delta", id: call.id, delta: t.function.arguments });
        }
      }
    } else {
      const result = event.result;
      write({
        type: "response-metadata",
        id: result.id,
        modelId: result.model,
        timestamp: new Date(result.created * 1000),
      });
      if (reasoningOpen) write({ type: "reasoning-end", id: "reasoning-0" });
      if (textOpen) write({ type: "text-end", id: "text-0" });
      for (const call of streamedTools.values()) write({ type: "tool-input-end", id: call.id });
      // Whatever the stream did not carry (a technique that answered at once) comes from the result.
      for (const part of contentToV3(result)) {
        if (part.type === "reasoning" && !sawReasoning) {
          write({ type: "reasoning-start", id: "reasoning-0" });
          write({ type: "reasoning-delta", id: "reasoning-0", delta: part.text });
          write({ type: "reasoning-end", id: "reasoning-0" });
        } else if (part.type === "text" && !sawText) {
          write({ type: "text-start", id: "text-0" });
          write({ type: "text-delta", id: "text-0", delta: part.text });
          write({ type: "text-end", id: "text-0" });
        } else if (part.type === "tool-call") write(part);
      }
      write({
        type: "finish",
        usage: usageToV3(result.usage),
        finishReason: finishReasonToV3(result.choices[0]?.finish_reason ?? "stop"),
        providerMetadata: lmxMetadata(result),
      });
    }
  }
}
