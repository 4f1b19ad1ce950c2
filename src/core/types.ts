/**
 * Core types of lmx, in one place. Requests and results are OpenAI-shaped so that the proxy can
 * pass them through faithfully; an LM is anything with `complete` and `stream` over them.
 */
import type { RunHost } from "./run-host.ts";
import type { Budget } from "../budget/budget.ts";
import type { Span } from "../trace/span.ts";

export type Role = "system" | "developer" | "user" | "assistant" | "tool";

export interface TextPart {
  type: "text";
  text: string;
}
export interface ImagePart {
  type: "image_url";
  image_url: { url: string; detail?: "auto" | "low" | "high" };
}
export type ContentPart = TextPart | ImagePart | { type: string; [key: string]: unknown };

export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface Message {
  role: Role;
  content: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  /** Extra provider fields (e.g. `refusal`, `reasoning_content`) are kept, not dropped. */
  [key: string]: unknown;
}

export interface AssistantMessage extends Message {
  role: "assistant";
  content: string | null;
  /** Reasoning text a reasoning model returned apart from its answer (DeepSeek-style `reasoning_content`,
   *  Anthropic thinking, `<think>` blocks). Answer extraction and voting never read it. */
  reasoning_content?: string;
}

/** OpenAI's reasoning effort levels; mapped to Anthropic's thinking budget and llama.cpp thinking caps. */
export type ReasoningEffort = "none" | "minimal" | "low" | "medium" | "high" | "xhigh";

export interface ToolDefinition {
  type: "function";
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export type ToolChoice = "none" | "auto" | "required" | { type: "function"; function: { name: string } };

export type ResponseFormat =
  | { type: "text" }
  | { type: "json_object" }
  | {
      type: "json_schema";
      json_schema: { name: string; schema?: Record<string, unknown>; strict?: boolean; description?: string };
    };

/** An OpenAI-shaped chat request. */
export interface ChatRequest {
  messages: Message[];
  model?: string;
  tools?: ToolDefinition[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: ResponseFormat;
  n?: number;
  temperature?: number;
  top_p?: number;
  seed?: number;
  stop?: string | string[];
  max_tokens?: number;
  max_completion_tokens?: number;
  /** How hard a reasoning model thinks (OpenAI's name; mapped per provider). */
  reasoning_effort?: ReasoningEffort;
  logprobs?: boolean;
  top_logprobs?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  user?: string;
  /** Unknown OpenAI fields ride along to OpenAI-compatible upstreams. */
  [key: string]: unknown;
}

export interface TokenLogprob {
  token: string;
  logprob: number;
  bytes?: number[] | null;
  top_logprobs?: { token: string; logprob: number; bytes?: number[] | null }[];
}

export type FinishReason =
  | "stop"
  | "length"
  | "tool_calls"
  | "content_filter"
  /** lmx: the budget ran out; the content is the best answer so far. */
  | "budget"
  /** lmx: the caller aborted; the content is the best answer so far. */
  | "aborted"
  /** lmx: some samples or a later round failed after their retries; the content is from those that answered. */
  | "partial"
  /** lmx: the technique found no answer (e.g. no program ran); the content says why and holds none to extract. */
  | "no_answer"
  | (string & {});

export interface Choice {
  index: number;
  message: AssistantMessage;
  finish_reason: FinishReason;
  logprobs?: { content: TokenLogprob[] | null } | null;
}

/** The original usage of samples replayed from lmx's cache. */
export interface ReplayedUsage {
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  reasoning_tokens?: number;
  calls: number;
  cost_usd: number;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Prompt tokens the upstream served from its own prompt cache. */
  cached_tokens: number;
  /** Upstream calls made now (a replay from lmx's cache is not one: see `cache_hits`, `replayed`). */
  calls: number;
  /** Dollars paid now (replays cost nothing; their original cost is in `replayed`). */
  cost_usd: number;
  /** Samples answered from lmx's own cache instead of an upstream call. */
  cache_hits: number;
  /** What the replayed samples cost when they were first made, kept apart from what was paid now. */
  replayed?: ReplayedUsage;
  /** Completion tokens spent on reasoning (a part of `completion_tokens`, as in OpenAI's usage). */
  reasoning_tokens?: number;
}

export interface ChatResult {
  id: string;
  model: string;
  created: number;
  choices: Choice[];
  usage: Usage;
  /** Id of the root trace span of this run. */
  trace_id?: string;
  system_fingerprint?: string | null;
}

/** What a stream yields: deltas, optional progress, and exactly one final result. */
export type StreamEvent =
  | {
      type: "delta";
      index: number;
      content?: string;
      /** Reasoning text, streamed apart from the answer. */
      reasoning?: string;
      tool_calls?: {
        index: number;
        id?: string;
        type?: "function";
        function?: { name?: string; arguments?: string };
      }[];
      logprobs?: TokenLogprob[];
    }
  | { type: "progress"; data: Record<string, unknown> }
  | { type: "result"; result: ChatResult };

export interface Capabilities {
  /** The upstream returns n choices from one call. */
  nativeN: boolean;
  logprobs: boolean;
  tools: boolean;
  streaming: boolean;
  /** JSON-schema constrained output (response_format json_schema). */
  constrainedOutput: boolean;
}

/** Everything a call needs beyond the request: shared budget, trace position, abort and seed. */
export interface RunContext {
  budget: Budget;
  span: Span;
  signal?: AbortSignal;
  /** Base seed for reproducible runs; sample i derives its own seed from it. */
  seed?: number;
  /** Index of the first sample this call asks for (so batches never repeat samples). */
  sampleOffset?: number;
  /** Progress sink (the proxy turns these into `lmx` fields of SSE chunks). */
  onProgress?: (data: Record<string, unknown>) => void;
  /** What techniques and tools get from the runtime running them (stores, embedders, MCP servers). */
  host?: RunHost;
}

export interface LM {
  /** A spec string that names this LM, e.g. `openai:gpt-4o-mini` or `self-consistency(n=5)@openai:gpt-4o-mini`. */
  readonly id: string;
  readonly capabilities: Capabilities;
  complete(request: ChatRequest, ctx?: RunContext): Promise<ChatResult>;
  stream(request: ChatRequest, ctx?: RunContext): AsyncIterable<StreamEvent>;
}

/** A technique turns an LM into a better LM: P_lm -> P_lm+X. */
export type Technique<O = Record<string, unknown>> = (inner: LM, options: O) => LM;
