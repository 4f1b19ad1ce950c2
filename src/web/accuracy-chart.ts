import { escapeHtml } from "./html-text.ts";

/** One run as the chart plots it. */
export interface ChartPoint {
  label: string;
  /** Compute per question (tokens or dollars). */
  compute: number;
  accuracy: number;
  /** 95% interval of the accuracy. */
  ci95: [number, number];
  pareto: boolean;
}

const W = 720;
const H = 380;
const M = { left: 56, right: 24, top: 16, bottom: 48 };
const COLORS = ["#2f6fde", "#138a4c", "#8e44ad", "#c0392b", "#16a085", "#d35400", "#2c3e50", "#7f8c8d"];

/** The colour of run `i` in the chart (tables use it to tie rows to dots). */
export function chartColor(i: number): string {
  return COLORS[i % COLORS.length]!;
}

/**
 * An inline SVG of accuracy against compute per question: a dot per run with its 95% interval as an
 * error bar, and the Pareto frontier drawn as a line through the runs on it. The x axis is
 * logarithmic when compute spans more than a factor of ten (sweeps over n usually do).
 */
export function accuracyChart(options: {
  points: readonly ChartPoint[];
  xLabel: string;
  unit: "usd" | "tokens";
}): string {
  const { points, xLabel, unit } = options;
  const xs = points.map((p) => p.compute).filter((x) => x > 0);
  const lo = xs.length ? Math.min(...xs) : 1;
  const hi = xs.length ? Math.max(...xs) : 1;
  const log = xs.length === points.length && hi / lo > 10;
  const [x0, x1] = log ? [Math.log10(lo) - 0.1, Math.log10(hi) + 0.1] : padded(0, hi || 1);
  const scaleX = (x: number) =>
    M.left + (((log ? Math.log10(Math.max(x, lo)) : x) - x0) / (x1 - x0 || 1)) * (W - M.left - M.right);
  // The accuracy axis spans the intervals (to the nearest 10%), so close runs stay apart.
  const y0 = points.length ? Math.max(0, Math.floor(Math.min(...points.map((p) => p.ci95[0])) * 10) / 10) : 0;
  const y1 = points.length ? Math.min(1, Math.ceil(Math.max(...points.map((p) => p.ci95[1])) * 10) / 10) : 1;
  const scaleY = (y: number) => H - M.bottom - ((y - y0) / (y1 - y0 || 1)) * (H - M.top - M.bottom);

  const parts: string[] = [];
  const yStep = niceStep((y1 - y0) / 5);
  for (let k = Math.ceil(y0 / yStep - 1e-9); k * yStep <= y1 + 1e-9; k++) {
    const y = r(scaleY(k * yStep));
    parts.push(
      `<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}"/><text x="${M.left - 6}" y="${y + 4}" text-anchor="end">${+(k * yStep * 100).toFixed(1)}%</text>`,
    );
  }
  for (const t of xTicks(x0, x1, log)) {
    const x = r(scaleX(t));
    parts.push(
      `<line class="grid" x1="${x}" x2="${x}" y1="${M.top}" y2="${H - M.bottom}"/><text x="${x}" y="${H - M.bottom + 16}" text-anchor="middle">${formatCompute(t, unit)}</text>`,
    );
  }
  parts.push(
    `<line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}"/><line class="axis" x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}"/>`,
  );
  parts.push(
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 10}" text-anchor="middle">${escapeHtml(xLabel)}${log ? " (log scale)" : ""}</text>`,
  );
  parts.push(
    `<text transform="translate(14 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">accuracy (95% CI)</text>`,
  );

  const front = points
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => p.pareto)
    .sort((a, b) => a.p.compute - b.p.compute);
  if (front.length > 1)
    parts.push(
      `<polyline class="frontier" fill="none" stroke="var(--front)" stroke-width="2" stroke-dasharray="5 3" points="${front.map(({ p }) => `${r(scaleX(p.compute))},${r(scaleY(p.accuracy))}`).join(" ")}"/>`,
    );
  points.forEach((p, i) => {
    const x = r(scaleX(p.compute));
    const color = chartColor(i);
    const tip = `${p.label}: ${(100 * p.accuracy).toFixed(1)}% (${(100 * p.ci95[0]).toFixed(1)}–${(100 * p.ci95[1]).toFixed(1)}%) at ${formatCompute(p.compute, unit)}${p.pareto ? " · Pareto frontier" : ""}`;
    parts.push(
      `<g class="run" data-run="${i}"><title>${escapeHtml(tip)}</title>` +
        `<line class="error-bar" stroke="${color}" x1="${x}" x2="${x}" y1="${r(scaleY(p.ci95[0]))}" y2="${r(scaleY(p.ci95[1]))}"/>` +
        `<line stroke="${color}" x1="${x - 4}" x2="${x + 4}" y1="${r(scaleY(p.ci95[0]))}" y2="${r(scaleY(p.ci95[0]))}"/>` +
        `<line stroke="${color}" x1="${x - 4}" x2="${x + 4}" y1="${r(scaleY(p.ci95[1]))}" y2="${r(scaleY(p.ci95[1]))}"/>` +
        `<circle class="point" cx="${x}" cy="${r(scaleY(p.accuracy))}" r="${p.pareto ? 6 : 4.5}" fill="${color}"${p.pareto ? ' stroke="var(--front)" stroke-width="2.5"' : ""}/>` +
        // Runs are numbered as in the summary table; full names would overlap in a sweep.
        `<text x="${x + 8}" y="${r(scaleY(p.accuracy)) + 4}">${i + 1}</text></g>`,
    );
  });
  return `<svg class="accuracy-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" style="max-width:${W}px" role="img" aria-label="accuracy versus ${escapeHtml(xLabel)}">${parts.join("")}</svg>`;
}

function padded(lo: number, hi: number): [number, number] {
  return [lo, hi * 1.08];
}

function xTicks(x0: number, x1: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    for (let e = Math.ceil(x0); e <= Math.floor(x1); e++)
      for (const m of [1, 2, 5]) if (e + Math.log10(m) <= x1) out.push(m * 10 ** e);
    return out.filter((t) => Math.log10(t) >= x0);
  }
  const step = niceStep((x1 - x0) / 5);
  const out: number[] = [];
  for (let t = Math.ceil(x0 / step) * step; t <= x1 + 1e-12; t += step) out.push(t);
  return out;
}

function niceStep(raw: number): number {
  const e = 10 ** Math.floor(Math.log10(raw || 1));
  const m = raw / e;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * e;
}

function formatCompute(x: number, unit: "usd" | "tokens"): string {
  if (unit === "usd") return x >= 0.01 ? `$${x.toFixed(2)}` : `$${x.toPrecision(2)}`;
  return x >= 1e6 ? `${+(x / 1e6).toFixed(1)}M` : x >= 1e3 ? `${+(x / 1e3).toFixed(1)}k` : String(+x.toFixed(1));
}

function r(x: number): number {
  return Math.round(x * 10) / 10;
}
