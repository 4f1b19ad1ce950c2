import type { ChatResult, Choice, StreamEvent, Usage } from "../core/types.ts";
import { finishFields, wireFinishReason } from "./wire-finish-reason.ts";

/** `usage` as OpenAI reports it, for every call a request made. */
export function openaiUsage(usage: Usage) {
  return {
    prompt_tokens: usage.prompt_tokens,
    completion_tokens: usage.completion_tokens,
    total_tokens: usage.total_tokens,
    prompt_tokens_details: { cached_tokens: usage.cached_tokens },
    // Only when a reasoning model answered, so other usage keeps its shape.
    ...(usage.reasoning_tokens !== undefined
      ? { completion_tokens_details: { reasoning_tokens: usage.reasoning_tokens } }
      : {}),
  };
}

/** lmx's accounting of a request, for headers and the `lmx` field of the last stream chunk. */
export function accounting(usage: Usage, traceId: string) {
  return { calls: usage.calls, cost_usd: roundCost(usage.cost_usd), cache_hits: usage.cache_hits, trace_id: traceId };
}

export function accountingHeaders(usage: Usage, traceId: string, result?: ChatResult): Record<string, string> {
  // lmx's own reason (budget, partial, aborted) of the first choice, when it is not an OpenAI value.
  const lmx = result?.choices[0] ? wireFinishReason(result.choices[0].finish_reason).lmx : undefined;
  return {
    "x-lmx-calls": String(usage.calls),
    "x-lmx-cost-usd": String(roundCost(usage.cost_usd)),
    "x-lmx-trace-id": traceId,
    ...(lmx ? { "x-lmx-finish-reason": lmx } : {}),
  };
}

function roundCost(x: number): number {
  return Math.round(x * 1e10) / 1e10;
}

/** A `chat.completion` body; `model` is the string the client asked for. */
export function completionBody(options: { result: ChatResult; model: string; usage: Usage }) {
  const { result, model, usage } = options;
  return {
    id: chatId(result.id),
    object: "chat.completion" as const,
    created: result.created,
    model,
    choices: result.choices.map((c) => ({
      index: c.index,
      message: { ...c.message, role: "assistant" as const, content: c.message.content ?? null },
      logprobs: c.logprobs ?? null,
      ...finishFields(c.finish_reason),
    })),
    usage: openaiUsage(usage),
    system_fingerprint: result.system_fingerprint ?? null,
  };
}

/** OpenAI ids start with `chatcmpl-`; lmx's own results get the prefix too. */
export function chatId(id: string): string {
  return id.startsWith("chatcmpl-") ? id : `chatcmpl-${id}`;
}

/**
 * Turns an LM's stream events into `chat.completion.chunk` objects: each choice's first chunk carries
 * `role`, deltas pass through as they come, and whatever of the final result was not streamed
 * (a technique that answered at once) is sent before each choice's finish chunk.
 */
export class ChunkWriter {
  private readonly started = new Set<number>();
  private readonly streamedText = new Set<number>();
  private readonly streamedReasoning = new Set<number>();
  private readonly streamedTools = new Set<number>();

  constructor(private readonly o: { id: string; created: number; model: string }) {}

  chunk(choices: unknown[], extra: Record<string, unknown> = {}) {
    return {
      id: this.o.id,
      object: "chat.completion.chunk" as const,
      created: this.o.created,
      model: this.o.model,
      system_fingerprint: null,
      choices,
      ...extra,
    };
  }

  /** The opening chunk of choice `index` (role, empty content). */
  start(index: number) {
    this.started.add(index);
    return this.chunk([{ index, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }]);
  }

  /** Chunks for one delta event (a role chunk first if the choice has not started). */
  delta(event: Extract<StreamEvent, { type: "delta" }>): object[] {
    const out: object[] = this.started.has(event.index) ? [] : [this.start(event.index)];
    const delta: Record<string, unknown> = {};
    if (event.reasoning) {
      // DeepSeek's name, which the openai SDK passes through and most clients read.
      delta.reasoning_content = event.reasoning;
      this.streamedReasoning.add(event.index);
    }
    if (event.content) {
      delta.content = event.content;
      this.streamedText.add(event.index);
    }
    if (event.tool_calls?.length) {
      delta.tool_calls = event.tool_calls;
      this.streamedTools.add(event.index);
    }
    if (Object.keys(delta).length === 0 && !event.logprobs) return out;
    out.push(
      this.chunk([
        {
          index: event.index,
          delta,
          logprobs: event.logprobs ? { content: event.logprobs } : null,
          finish_reason: null,
        },
      ]),
    );
    return out;
  }

  /** The closing chunks of every choice of the final result. */
  finish(result: ChatResult): object[] {
    const out: object[] = [];
    for (const choice of result.choices) {
      if (!this.started.has(choice.index)) out.push(this.start(choice.index));
      const rest = this.unsent(choice);
      if (rest) out.push(this.chunk([{ index: choice.index, delta: rest, logprobs: null, finish_reason: null }]));
      out.push(this.chunk([{ index: choice.index, delta: {}, logprobs: null, ...finishFields(choice.finish_reason) }]));
    }
    return out;
  }

  private unsent(choice: Choice): Record<string, unknown> | undefined {
    const rest: Record<string, unknown> = {};
    const reasoning = choice.message.reasoning_content;
    if (!this.streamedReasoning.has(choice.index) && typeof reasoning === "string" && reasoning)
      rest.reasoning_content = reasoning;
    const content = choice.message.content;
    if (!this.streamedText.has(choice.index) && typeof content === "string" && content) rest.content = content;
    const calls = choice.message.tool_calls;
    if (!this.streamedTools.has(choice.index) && calls?.length)
      rest.tool_calls = calls.map((t, index) => ({ index, ...t }));
    return Object.keys(rest).length ? rest : undefined;
  }
}
