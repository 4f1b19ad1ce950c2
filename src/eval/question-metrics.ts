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
 */
export function questionMetrics(root: SpanJSON): QuestionMetrics {
  let samples = 0;
  const visit = (span: SpanJSON) => {
    if (span.kind === "lm") samples += lmSamples(span);
    for (const child of span.children) visit(child);
  };
  visit(root);
  const t = root.total;
  return {
    calls: t.calls,
    samples,
    prompt_tokens: t.prompt_tokens,
    completion_tokens: t.completion_tokens,
    cost_usd: t.cost_usd,
  };
}

function lmSamples(span: SpanJSON): number {
  const output = span.attributes.output;
  if (Array.isArray(output)) return output.length;
  // A call that failed before answering produced nothing.
  return 0;
}
