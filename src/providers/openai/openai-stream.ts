import { UpstreamError } from "../../core/errors/upstream-error.ts";
import type { ChatRequest, Choice, StreamEvent, TokenLogprob, ToolCall } from "../../core/types.ts";
import type { DriverStreamEvent } from "../provider-driver.ts";
import { estimateUsage } from "./estimate-usage.ts";
import { isObject, malformedFor, openaiUsage, reasoningOf, type Malformed } from "./openai-result.ts";
import { ThinkSplitter, type SplitPiece } from "../reasoning/think-splitter.ts";

type Json = Record<string, any>;
type Delta = Extract<StreamEvent, { type: "delta" }>;

/** What one choice has said so far. */
interface ChoiceSoFar {
  text: string;
  reasoning: string;
  /** Splits a `<think>` block off the content, for servers that send reasoning inside it. */
  think: ThinkSplitter;
  tools: ToolCall[];
  logprobs: TokenLogprob[];
  extra: Record<string, string>;
  finish?: string;
}

/** Delta fields with their own handling; other string fields (reasoning_content, refusal) are concatenated. */
const HANDLED = new Set(["role", "content", "tool_calls", "function_call", "reasoning_content", "reasoning"]);

/**
 * Turns chat.completion.chunk objects into lmx deltas and, at the end, one `done` event with the
 * assembled message (tool-call argument fragments joined) and the usage of the include_usage chunk.
 */
export async function* openaiStreamEvents(options: {
  chunks: AsyncIterable<unknown>;
  request: ChatRequest;
  provider: string;
  signal: AbortSignal;
}): AsyncGenerator<DriverStreamEvent> {
  const { chunks, request, provider, signal } = options;
  const partials = new Map<number, ChoiceSoFar>();
  let usage: Json | undefined;
  let id: string | undefined;
  let model: string | undefined;
  let fingerprint: string | null | undefined;
  const malformed = malformedFor(provider);
  for await (const raw of chunks) {
    if (!isObject(raw)) throw malformed("a stream chunk was not a JSON object");
    const chunk = raw as Json;
    if (typeof chunk.id === "string") id ??= chunk.id;
    if (typeof chunk.model === "string") model ??= chunk.model;
    if (typeof chunk.system_fingerprint === "string") fingerprint ??= chunk.system_fingerprint;
    if (chunk.usage != null) {
      if (!isObject(chunk.usage)) throw malformed("a stream chunk's usage was not an object");
      usage = chunk.usage;
    }
    if (chunk.choices != null && !Array.isArray(chunk.choices))
      throw malformed("a stream chunk's choices were not an array");
    for (const c of (chunk.choices ?? []) as unknown[]) {
      if (!isObject(c)) throw malformed("a stream choice was not an object");
      const index = smallIndex(c.index, malformed, "a stream choice's index");
      let p = partials.get(index);
      if (!p)
        partials.set(
          index,
          (p = { text: "", reasoning: "", think: new ThinkSplitter(), tools: [], logprobs: [], extra: {} }),
        );
      if (c.finish_reason != null) {
        if (typeof c.finish_reason !== "string") throw malformed("a stream choice's finish_reason was not a string");
        p.finish = c.finish_reason;
      }
      if (c.delta != null && !isObject(c.delta)) throw malformed("a stream choice's delta was not an object");
      const content = c.logprobs?.content;
      const event = applyDelta(p, index, c.delta ?? {}, Array.isArray(content) ? content : undefined, malformed);
      if (event) yield event;
    }
  }
  // Text the think splitter held back (a possible tag at the very end) is the stream's last delta.
  for (const [index, p] of partials) {
    const event = splitEvent(p, index, p.think.end());
    if (event) yield event;
  }
  // The SDK ends a stream quietly when its signal fires; a cut-short answer must not look complete.
  if (signal.aborted)
    throw new UpstreamError({ provider, failure: "aborted", message: "the stream was aborted", cause: signal.reason });
  if (partials.size === 0)
    throw new UpstreamError({ provider, failure: "malformed", message: "the stream ended without any choice" });
  // Every finished choice says why it finished; a stream closed without that was cut short, not complete.
  if ([...partials.values()].some((p) => p.finish === undefined))
    throw new UpstreamError({
      provider,
      failure: "connection",
      message: "the stream ended before the answer was finished (no finish_reason)",
    });
  if ([...partials.values()].some((p) => p.tools.some((t) => t && t.function.name === "")))
    throw malformed("a streamed tool call never got a function name");
  const choices: Choice[] = [...partials.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, p]) => ({
      index,
      message: {
        ...p.extra,
        role: "assistant",
        content: p.text === "" && p.tools.length > 0 ? null : p.text,
        ...(p.reasoning ? { reasoning_content: p.reasoning } : {}),
        ...(p.tools.length > 0 ? { tool_calls: p.tools.filter(Boolean) } : {}),
      },
      finish_reason: p.finish ?? "stop",
      logprobs: p.logprobs.length > 0 ? { content: p.logprobs } : null,
    }));
  yield {
    type: "done",
    result: {
      choices,
      usage: usage
        ? openaiUsage(usage, () => estimateUsage({ request, choices }))
        : estimateUsage({ request, choices }),
      id,
      model,
      system_fingerprint: fingerprint,
    },
  };
}

/** Adds a piece the think splitter let through to the choice and the event; true when it had text. */
function applySplit(p: ChoiceSoFar, event: Delta, piece: SplitPiece): boolean {
  if (piece.reasoning) {
    p.reasoning += piece.reasoning;
    event.reasoning = (event.reasoning ?? "") + piece.reasoning;
  }
  if (piece.content) {
    p.text += piece.content;
    event.content = piece.content;
  }
  return Boolean(piece.reasoning || piece.content);
}

function splitEvent(p: ChoiceSoFar, index: number, piece: SplitPiece): Delta | undefined {
  const event: Delta = { type: "delta", index };
  return applySplit(p, event, piece) ? event : undefined;
}

/** A choice or tool-call index: absent is 0, else a small non-negative integer (it keys a map). */
function smallIndex(value: unknown, malformed: Malformed, what: string): number {
  if (value == null) return 0;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 10_000)
    throw malformed(`${what} was not a small integer`);
  return value;
}

function applyDelta(
  p: ChoiceSoFar,
  index: number,
  delta: Json,
  logprobs: TokenLogprob[] | undefined,
  malformed: Malformed,
): Delta | undefined {
  const event: Delta = { type: "delta", index };
  let any = false;
  if (delta.content != null && typeof delta.content !== "string")
    throw malformed("a stream delta's content was not a string");
  if (delta.tool_calls != null && !Array.isArray(delta.tool_calls))
    throw malformed("a stream delta's tool_calls were not an array");
  const reasoning =
    reasoningOf(delta.reasoning_content, malformed, "a stream delta") ??
    reasoningOf(delta.reasoning, malformed, "a stream delta");
  if (reasoning) {
    p.reasoning += reasoning;
    event.reasoning = reasoning;
    any = true;
  }
  if (typeof delta.content === "string" && delta.content !== "")
    any = applySplit(p, event, p.think.push(delta.content)) || any;
  if (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0) {
    for (const t of delta.tool_calls as unknown[]) {
      if (!isObject(t)) throw malformed("a stream tool call was not an object");
      const k = smallIndex(t.index, malformed, "a stream tool call's index");
      if (
        t.function != null &&
        (!isObject(t.function) ||
          (t.function.name != null && typeof t.function.name !== "string") ||
          (t.function.arguments != null && typeof t.function.arguments !== "string"))
      )
        throw malformed("a stream tool call's function was not {name, arguments} strings");
      if (t.id != null && typeof t.id !== "string") throw malformed("a stream tool call's id was not a string");
      const call = (p.tools[k] ??= {
        id: t.id ?? `call_${k}`,
        type: "function",
        function: { name: "", arguments: "" },
      });
      if (t.id) call.id = t.id;
      if (t.function?.name) call.function.name += t.function.name;
      if (t.function?.arguments) call.function.arguments += t.function.arguments;
    }
    event.tool_calls = delta.tool_calls;
    any = true;
  }
  if (Array.isArray(logprobs) && logprobs.length > 0) {
    p.logprobs.push(...logprobs);
    event.logprobs = logprobs;
    any = true;
  }
  for (const key in delta) {
    if (!HANDLED.has(key) && typeof delta[key] === "string") p.extra[key] = (p.extra[key] ?? "") + delta[key];
  }
  return any ? event : undefined;
}
