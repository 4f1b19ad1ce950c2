import type { ChatRequest } from "../../core/types.ts";

/** Fields lmx owns or that only mean something to lmx; everything else goes upstream unchanged. */
const DROPPED = new Set(["model", "stream", "stream_options", "lmx"]);

/**
 * The body of one chat.completions call: every request field passes through (multi-part content,
 * tools, response_format, logprobs, unknown extras), with lmx's model, seed and streaming flags.
 */
export function openaiParams(options: {
  request: ChatRequest;
  model: string;
  seed?: number;
  stream?: boolean;
}): Record<string, unknown> {
  const { request, model, seed, stream } = options;
  const params: Record<string, unknown> = { model };
  for (const key in request) {
    const value = request[key];
    if (value !== undefined && !DROPPED.has(key)) params[key] = value;
  }
  // Servers that reject `n` (llama.cpp, Ollama) accept its absence; n=1 is the default anyway.
  if (params.n === 1) delete params.n;
  if (seed !== undefined) params.seed = seed;
  // Reasoning is the model's own output: DeepSeek rejects it in input messages, and the others ignore it;
  // Anthropic's signed thinking means nothing here.
  if (request.messages.some((m) => "reasoning_content" in m || "anthropic_thinking" in m))
    params.messages = request.messages.map((m) => {
      const {
        reasoning_content: _r,
        anthropic_thinking: _a,
        ...rest
      } = m as typeof m & {
        reasoning_content?: unknown;
        anthropic_thinking?: unknown;
      };
      return rest;
    });
  // The accounting path caps `max_tokens`; OpenAI rejects both fields together, so keep the smaller one.
  // Reasoning models take only max_completion_tokens (it covers reasoning and answer), so a request with
  // reasoning_effort sends its cap under that name.
  const asCompletion = typeof params.max_completion_tokens === "number" || params.reasoning_effort !== undefined;
  if (typeof params.max_tokens === "number" && asCompletion) {
    params.max_completion_tokens = Math.min(params.max_tokens, (params.max_completion_tokens as number) ?? Infinity);
    delete params.max_tokens;
  }
  if (stream) {
    params.stream = true;
    params.stream_options = { ...(request.stream_options as object | undefined), include_usage: true };
  }
  return params;
}
