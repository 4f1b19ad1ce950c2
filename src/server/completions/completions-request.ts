import type { ChatRequest } from "../../core/types.ts";
import { dropNullSettings } from "../chat-body-schema.ts";
import type { RunPlan } from "../request-run.ts";
import { COMPLETIONS_NULLABLE, type CompletionsBody } from "./completions-body-schema.ts";

/** OpenAI's default `max_tokens` for the Completions API (not chat's "as long as the model likes"). */
export const DEFAULT_MAX_TOKENS = 16;

/** What answering needs besides the run: the prompts, completions per prompt, and whether to echo them. */
export interface CompletionsState {
  prompts: string[];
  n: number;
  echo: boolean;
}

/**
 * A validated Completions body as the core's chat request: each prompt becomes the one user message
 * of its own request (the core LM interface is chat, as LiteLLM maps it too); `max_tokens` defaults to
 * 16 as in OpenAI's API; the sampling settings, `stop`, `seed`, penalties, `logit_bias` and `user` go
 * with every prompt. The plan's request holds the first prompt; `promptRequest` makes the others.
 */
export function completionsRunPlan(body: CompletionsBody): RunPlan & { state: CompletionsState } {
  const {
    model,
    lmx,
    prompt,
    stream,
    stream_options,
    echo,
    max_tokens,
    best_of: _bestOf,
    logprobs: _logprobs,
    suffix: _suffix,
    ...settings
  } = dropNullSettings(body, COMPLETIONS_NULLABLE);
  const prompts = typeof prompt === "string" ? [prompt] : prompt;
  // The nulls are gone (dropNullSettings), as ChatRequest has it.
  const template = { ...settings, max_tokens: max_tokens ?? DEFAULT_MAX_TOKENS, messages: [] } as ChatRequest;
  return {
    model,
    lmx,
    request: promptRequest(template, prompts[0]!),
    stream: stream === true,
    includeUsage: stream_options?.include_usage === true,
    state: { prompts, n: body.n ?? 1, echo: echo === true },
  };
}

/** The request for one prompt: the settings of `request`, the prompt as its only (user) message. */
export function promptRequest(request: ChatRequest, prompt: string): ChatRequest {
  return { ...request, messages: [{ role: "user", content: prompt }] };
}

/** What `echo` puts before choice `index`'s text: its prompt, or nothing. */
export function echoed(state: CompletionsState, index: number): string {
  return state.echo ? (state.prompts[Math.floor(index / state.n)] ?? "") : "";
}
