import type { ChatRequest, ReasoningEffort, ToolChoice } from "../../core/types.ts";
import { anthropicMessages, type AnthropicMessage } from "./anthropic-messages.ts";
import { TOOL_CHOICES } from "./anthropic-vocabulary.ts";

/** How `response_format` is honoured: an instruction in the system prompt, or the API's `output_config.format`. */
export type StructuredOutput = "instruction" | "native";

/** Anthropic-only fields a caller may set on the request; they go through unchanged. */
const PASSED = ["top_k", "thinking", "metadata", "service_tier", "output_config"] as const;

/**
 * The body of one Messages API call for an OpenAI-shaped request. Fields with no Anthropic
 * counterpart (seed, n, logprobs, penalties) are dropped: the capabilities say so.
 */
export function anthropicParams(options: {
  request: ChatRequest;
  model: string;
  defaultMaxTokens: number;
  structuredOutput: StructuredOutput;
}): Record<string, any> {
  const { request, model, structuredOutput } = options;
  const { system, messages } = anthropicMessages(request.messages);
  const caps = [request.max_tokens, request.max_completion_tokens].filter((x): x is number => typeof x === "number");
  const params: Record<string, any> = {
    model,
    max_tokens: caps.length > 0 ? Math.min(...caps) : options.defaultMaxTokens,
    messages,
  };
  for (const key of PASSED) if (request[key] !== undefined) params[key] = request[key];

  let systemText = system;
  const format = request.response_format;
  if (format?.type === "json_schema" && structuredOutput === "native") {
    params.output_config = {
      ...params.output_config,
      format: { type: "json_schema", schema: format.json_schema.schema ?? { type: "object" } },
    };
  } else if (format?.type === "json_schema" || format?.type === "json_object") {
    // Older Claude models have no constrained decoding, so the schema is asked for in words; the
    // driver strips a code fence from the answer. `structuredOutput: "native"` uses output_config instead.
    const schema =
      format.type === "json_schema" && format.json_schema.schema
        ? `\nThe JSON must conform to this JSON schema:\n${JSON.stringify(format.json_schema.schema)}`
        : "";
    const instruction = `Respond only with a single valid JSON value, with no prose and no code fences.${schema}`;
    systemText = systemText ? `${systemText}\n\n${instruction}` : instruction;
  }
  if (systemText) params.system = systemText;

  // Anthropic's temperature range is 0–1 where OpenAI's is 0–2; clamp rather than fail a sampling technique.
  if (typeof request.temperature === "number") params.temperature = Math.min(1, Math.max(0, request.temperature));
  if (typeof request.top_p === "number") params.top_p = request.top_p;
  if (request.stop != null) params.stop_sequences = Array.isArray(request.stop) ? request.stop : [request.stop];
  if (typeof request.user === "string" && !params.metadata) params.metadata = { user_id: request.user };

  if (request.tools?.length) {
    params.tools = request.tools.map((t) =>
      t.type === "function"
        ? {
            name: t.function.name,
            ...(t.function.description ? { description: t.function.description } : {}),
            input_schema: t.function.parameters ?? { type: "object", properties: {} },
          }
        : t,
    );
  }
  const choice = toolChoice(request.tool_choice, request.parallel_tool_calls);
  if (choice && (request.tools?.length || choice.type === "none")) params.tool_choice = choice;
  withThinking(params, request, caps.length > 0);
  return params;
}

/** Anthropic's thinking budget for each of OpenAI's effort levels (the API's least is 1024). */
export const THINKING_BUDGET: Record<Exclude<ReasoningEffort, "none">, number> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 16384,
  xhigh: 32768,
};

/**
 * `reasoning_effort` as extended thinking (unless the caller sent `thinking` itself). With lmx's
 * default max_tokens the answer keeps all of it and max_tokens grows by the budget; a caller's or a
 * budget's cap is never raised, so thinking gets at most half of it, and none below 2048. Thinking
 * takes no temperature or top_k, top_p of at least 0.95, and no forced tool choice (then it is left off,
 * as it is when the last tool-using assistant turn has no signed thinking to send back).
 */
function withThinking(params: Record<string, any>, request: ChatRequest, capped: boolean): void {
  const effort = request.reasoning_effort;
  if (!effort || effort === "none" || params.thinking !== undefined) return;
  if (params.tool_choice?.type === "any" || params.tool_choice?.type === "tool") return;
  // With thinking on, an assistant turn with tool use must start with its signed thinking; an answer
  // that came without (another model, thinking off) can only be continued with thinking off.
  const last = params.messages.findLast((m: AnthropicMessage) => m.role === "assistant");
  const blocks: { type?: unknown }[] = last?.content ?? [];
  if (blocks.some((b) => b.type === "tool_use") && !["thinking", "redacted_thinking"].includes(String(blocks[0]?.type)))
    return;
  const wanted = THINKING_BUDGET[effort];
  if (wanted === undefined) return;
  const budget = capped ? Math.min(wanted, Math.floor(params.max_tokens / 2)) : wanted;
  if (budget < THINKING_BUDGET.minimal) return;
  if (!capped) params.max_tokens += budget;
  params.thinking = { type: "enabled", budget_tokens: budget };
  delete params.temperature;
  delete params.top_k;
  if (typeof params.top_p === "number") params.top_p = Math.max(0.95, params.top_p);
}

function toolChoice(
  choice: ToolChoice | undefined,
  parallel: boolean | undefined,
): Record<string, unknown> | undefined {
  const serial = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (typeof choice === "object") return { type: "tool", name: choice.function.name, ...serial };
  const type = TOOL_CHOICES.find(([, openai]) => openai === (choice ?? (parallel === false ? "auto" : undefined)))?.[0];
  if (type === undefined) return undefined;
  return type === "none" ? { type } : { type, ...serial };
}
