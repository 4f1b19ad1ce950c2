import type { ReportData } from "../eval/report-data.ts";
import { accuracyChart, chartColor } from "./accuracy-chart.ts";
import { clientScript } from "./client-script.ts";
import { escapeHtml, jsonForScript } from "./html-text.ts";
import { pageStyle } from "./page-style.ts";

/**
 * report.html for an evaluation: one self-contained page (inline CSS, JS and SVG; no network) with
 * the summary table, the accuracy-versus-compute chart with 95% intervals and the Pareto frontier,
 * a table of samples and escalations per cascade rung, and a per-question list whose rows open to
 * each run's samples, votes, critiques, rungs, final answer and trace id (with its `lmx trace` command).
 */
export function renderEvalReport(data: ReportData): string {
  const chart = accuracyChart({
    points: data.runs.map((r) => ({
      label: r.technique,
      compute: r.compute,
      accuracy: r.accuracy,
      ci95: r.ci95,
      pareto: r.pareto,
    })),
    xLabel: data.axis.label,
    unit: data.axis.unit,
  });
  const models = new Set(data.runs.map((r) => r.model)).size > 1;
  const heads = data.runs.map((r, i) => `<th class="num" title="${escapeHtml(r.technique)}">${i + 1}</th>`).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<title>${escapeHtml(data.title)}</title><style>${pageStyle}</style></head>
<body>
<h1>${escapeHtml(data.title)}</h1>
<div class="muted">${data.questions.length} questions · ${data.runs.length} runs · model${models ? "s" : ""} ${escapeHtml([...new Set(data.runs.map((r) => r.model))].join(", "))} · generated ${escapeHtml(data.generated)}</div>
<h2>Summary</h2>
${summaryTable(data, models)}
<p class="muted"><span class="front">◆</span> on the Pareto frontier: no other run is at least as accurate for less compute.</p>
${rungTable(data)}
<h2>Accuracy versus compute</h2>
${chart}
<h2>Questions</h2>
<div><input type="search" id="filter-text" placeholder="filter by id or text">
<select id="filter-kind"><option value="all">all questions</option><option value="wrong">some run wrong</option><option value="disagree">runs disagree</option><option value="all-wrong">every run wrong</option><option value="errors">errors</option></select>
<span id="shown" class="muted"></span></div>
<table class="question-list"><thead><tr><th>id</th><th>question</th><th>reference</th>${heads}</tr></thead><tbody id="questions"></tbody></table>
<button id="more" hidden>show more</button>
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
<script>${clientScript("dom-element.js")}</script>
<script>${clientScript("eval-report.js")}</script>
</body></html>
`;
}

function summaryTable(data: ReportData, models: boolean): string {
  const rows = data.runs
    .map((r, i) => {
      const tokens = r.total ? Math.round((r.prompt_tokens + r.completion_tokens) / r.total) : 0;
      return `<tr class="run-row"><td><span style="color:${chartColor(i)}">●</span> ${i + 1}</td><td>${r.pareto ? '<span class="front" title="Pareto frontier">◆</span> ' : ""}${escapeHtml(r.technique)}</td>${models ? `<td>${escapeHtml(r.model)}</td>` : ""}
<td class="num">${pct(r.accuracy)}</td><td class="num">${pct(r.ci95[0])}–${pct(r.ci95[1])}</td><td class="num">${r.correct}/${r.total}</td>
<td class="num">${r.calls}</td><td class="num">${r.mean_samples.toFixed(2)}</td><td class="num">${tokens}</td><td class="num">$${r.cost_usd.toFixed(4)}</td><td class="num">${Math.round(r.mean_latency_ms)} ms</td></tr>`;
    })
    .join("\n");
  return `<table class="summary"><thead><tr><th>#</th><th>technique</th>${models ? "<th>model</th>" : ""}<th class="num">accuracy</th><th class="num">95% CI</th><th class="num">correct</th><th class="num">calls</th><th class="num">samples/q</th><th class="num">tokens/q</th><th class="num">cost</th><th class="num">latency/q</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

/** Samples and escalations per cascade rung, for runs that have rungs. */
function rungTable(data: ReportData): string {
  const rows = data.runs.flatMap((r, i) =>
    r.rungs.map(
      (u) =>
        `<tr class="rung-row"><td>${i + 1}</td><td>${escapeHtml(r.technique)}</td><td class="num">${u.step}</td><td>${escapeHtml(u.model)}</td><td class="num">${u.questions}</td><td class="num">${u.samples === null || !u.questions ? "–" : (u.samples / u.questions).toFixed(2)}</td><td class="num">${u.escalations} (${pct(u.questions ? u.escalations / u.questions : 0)})</td></tr>`,
    ),
  );
  if (!rows.length) return "";
  return `<h2>Cascade rungs</h2>
<table class="rungs"><thead><tr><th>#</th><th>technique</th><th class="num">rung</th><th>model</th><th class="num">questions</th><th class="num">samples/q</th><th class="num">escalated</th></tr></thead>
<tbody>${rows.join("\n")}</tbody></table>`;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
