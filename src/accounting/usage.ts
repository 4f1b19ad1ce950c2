import type { Usage } from "../core/types.ts";

export function emptyUsage(): Usage {
  return {
    prompt_tokens: 0,
    completion_tokens: 0,
    total_tokens: 0,
    cached_tokens: 0,
    calls: 0,
    cost_usd: 0,
    cache_hits: 0,
  };
}

/** Adds `delta` into `into` (in place); total_tokens follows prompt + completion when not given. */
export function addUsage(into: Usage, delta: Partial<Usage>): Usage {
  const prompt = delta.prompt_tokens ?? 0;
  const completion = delta.completion_tokens ?? 0;
  into.prompt_tokens += prompt;
  into.completion_tokens += completion;
  into.total_tokens += delta.total_tokens ?? prompt + completion;
  into.cached_tokens += delta.cached_tokens ?? 0;
  into.calls += delta.calls ?? 0;
  into.cost_usd += delta.cost_usd ?? 0;
  into.cache_hits += delta.cache_hits ?? 0;
  // Optional so usage without reasoning models keeps its shape; present once any call reports some.
  if (delta.reasoning_tokens) into.reasoning_tokens = (into.reasoning_tokens ?? 0) + delta.reasoning_tokens;
  return into;
}
