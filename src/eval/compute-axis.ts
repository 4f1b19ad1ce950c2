import type { RunSummary } from "./summarize-run.ts";

/** How compute is measured across runs: dollars when any run cost money, else tokens. */
export interface ComputeAxis {
  unit: "usd" | "tokens";
  label: string;
  /** Compute per question of a run. */
  of(run: RunSummary): number;
}

/** Mean dollars per question when any run has a cost, else mean tokens (prompt + completion) per question. */
export function computeAxis(runs: readonly RunSummary[]): ComputeAxis {
  const perQuestion = (x: number, run: RunSummary) => (run.total ? x / run.total : 0);
  if (runs.some((r) => r.cost_usd > 0))
    return { unit: "usd", label: "cost per question (USD)", of: (r) => perQuestion(r.cost_usd, r) };
  return {
    unit: "tokens",
    label: "tokens per question",
    of: (r) => perQuestion(r.prompt_tokens + r.completion_tokens, r),
  };
}
