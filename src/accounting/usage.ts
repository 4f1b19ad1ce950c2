import type { ReplayedUsage, Usage } from "../core/types.ts";

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
  // A new object each time: copies of `into` taken earlier (span snapshots) keep their figures.
  if (delta.replayed) into.replayed = addReplayed(into.replayed, delta.replayed);
  // Optional so usage without reasoning models keeps its shape; present once any call reports some.
  if (delta.reasoning_tokens) into.reasoning_tokens = (into.reasoning_tokens ?? 0) + delta.reasoning_tokens;
  return into;
}

function addReplayed(a: ReplayedUsage | undefined, b: ReplayedUsage): ReplayedUsage {
  return {
    prompt_tokens: (a?.prompt_tokens ?? 0) + b.prompt_tokens,
    completion_tokens: (a?.completion_tokens ?? 0) + b.completion_tokens,
    cached_tokens: (a?.cached_tokens ?? 0) + b.cached_tokens,
    ...(a?.reasoning_tokens || b.reasoning_tokens
      ? { reasoning_tokens: (a?.reasoning_tokens ?? 0) + (b.reasoning_tokens ?? 0) }
      : {}),
    calls: (a?.calls ?? 0) + b.calls,
    cost_usd: (a?.cost_usd ?? 0) + b.cost_usd,
  };
}
