import { computeAxis } from "./compute-axis.ts";
import { paretoFrontier } from "./pareto-frontier.ts";
import type { RunSummary } from "./summarize-run.ts";

/**
 * The terminal table of an evaluation: one row per run with accuracy, its 95% interval and the
 * compute it took; `*` marks runs on the accuracy-versus-compute Pareto frontier.
 */
export function formatEvalTable(options: { runs: readonly RunSummary[] }): string {
  const { runs } = options;
  if (runs.length === 0) return "no runs\n";
  const axis = computeAxis(runs);
  const frontier = paretoFrontier(runs.map((r) => ({ compute: axis.of(r), accuracy: r.accuracy })));
  const models = new Set(runs.map((r) => r.model)).size > 1;
  const header = [
    "",
    "technique",
    ...(models ? ["model"] : []),
    "accuracy",
    "95% CI",
    "correct",
    "calls",
    "samples/q",
    "tokens/q",
    "cost $",
    "latency/q",
  ];
  const rows = runs.map((r, i) => [
    frontier[i] ? "*" : "",
    r.technique,
    ...(models ? [r.model] : []),
    pct(r.accuracy),
    `${pct(r.ci95[0])}–${pct(r.ci95[1])}`,
    `${r.correct}/${r.total}`,
    String(r.calls),
    r.mean_samples.toFixed(2),
    r.total ? String(Math.round((r.prompt_tokens + r.completion_tokens) / r.total)) : "0",
    r.cost_usd.toFixed(4),
    `${Math.round(r.mean_latency_ms)} ms`,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  const numeric = (c: number) => c >= (models ? 4 : 3);
  const format = (row: string[]) =>
    row
      .map((cell, c) => (numeric(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join("  ")
      .trimEnd();
  const note = `* on the Pareto frontier of accuracy versus ${axis.label}`;
  return [format(header), ...rows.map(format), note].join("\n") + "\n";
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
