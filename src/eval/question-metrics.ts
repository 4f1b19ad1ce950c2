import type { SpanJSON } from "../trace/span.ts";

/** What one question cost, read off its trace. */
export interface QuestionMetrics {
  calls: number;
  /** Upstream choices produced (a call with n=10 counts 10; cache hits count too). */
  samples: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
}

/**
 * Totals of a question's trace: calls, tokens and cost from the root's rolled-up usage, samples by
 * counting the outputs of every LM span (each span records one output per choice it produced).
 * Samples replayed from the cache count at their original usage: an eval compares what techniques
 * cost, which must not depend on what an earlier run happened to cache.
 */
export function questionMetrics(root: SpanJSON): QuestionMetrics {
  let samples = 0;
  const visit = (span: SpanJSON) => {
    if (span.kind === "lm") samples += lmSamples(span);
    for (const child of span.children) visit(child);
  };
  visit(root);
  const t = root.total;
  const r = t.replayed;
  return {
    calls: t.calls + (r?.calls ?? 0),
    samples,
    prompt_tokens: t.prompt_tokens + (r?.prompt_tokens ?? 0),
    completion_tokens: t.completion_tokens + (r?.completion_tokens ?? 0),
    cost_usd: t.cost_usd + (r?.cost_usd ?? 0),
  };
}

function lmSamples(span: SpanJSON): number {
  const output = span.attributes.output;
  if (Array.isArray(output)) return output.length;
  // A call that failed before answering produced nothing.
  return 0;
}
