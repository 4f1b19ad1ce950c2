import type { TuneResult } from "./tune.ts";

/**
 * The terminal leaderboard of a tuning run: accuracy with its 95% interval on the questions each
 * candidate reached, compute per question, rounds survived and why it left. `>` marks the winner,
 * `*` the Pareto frontier of the candidates that saw every dev question. Then the winning spec (and
 * its held-out accuracy, if any).
 */
export function formatTuneTable(options: { result: TuneResult }): string {
  const { result } = options;
  const dollars = result.leaderboard.some((e) => e.compute.cost_usd > 0);
  const effort = result.leaderboard.some((e) => e.reasoningEffort !== undefined);
  const header = [
    "",
    "candidate",
    ...(effort ? ["effort"] : []),
    "accuracy",
    "95% CI",
    "questions",
    "tokens/q",
    ...(dollars ? ["$/q"] : []),
    "calls/q",
    "rounds",
    "status",
  ];
  const rows = result.leaderboard.map((e) => [
    `${e.winner ? ">" : " "}${e.frontier ? "*" : " "}`,
    e.technique,
    ...(effort ? [e.reasoningEffort ?? "-"] : []),
    pct(e.accuracy),
    `${pct(e.ci95[0])}–${pct(e.ci95[1])}`,
    String(e.questions),
    String(Math.round(e.compute.tokens)),
    ...(dollars ? [e.compute.cost_usd.toFixed(6)] : []),
    e.compute.calls.toFixed(2),
    String(e.rounds),
    e.winner
      ? "best"
      : e.dropped
        ? `${e.dropped.reason} (round ${e.dropped.round}: ${e.dropped.detail})`
        : e.withinBudget
          ? "finalist"
          : "over budget",
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const numeric = (c: number) => c >= (effort ? 3 : 2) && c < header.length - 1;
  const format = (row: string[]) =>
    row
      .map((cell, c) => (numeric(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join("  ")
      .trimEnd();
  const lines = [
    format(header),
    ...rows.map(format),
    "> chosen   * on the Pareto frontier of accuracy versus compute, among candidates evaluated on every dev question",
    "",
  ];
  const best = result.best;
  if (!best) lines.push("no candidate fits the budget");
  else {
    lines.push(`best: ${best.spec}`);
    if (best.reasoningEffort) lines.push(`  reasoning effort ${best.reasoningEffort}`);
    lines.push(
      `  dev accuracy ${pct(best.accuracy)} (${pct(best.ci95[0])}–${pct(best.ci95[1])}) on ${best.questions} questions, ${Math.round(best.compute.tokens)} tokens/question${dollars ? `, $${best.compute.cost_usd.toFixed(6)}/question` : ""}`,
    );
    const held = best.heldOut;
    if (held)
      lines.push(
        `  held-out accuracy ${pct(held.accuracy)} (${pct(held.ci95[0])}–${pct(held.ci95[1])}) on ${held.total} questions`,
      );
  }
  return lines.join("\n") + "\n";
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
