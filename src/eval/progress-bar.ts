import type { EvalProgress } from "./run-eval.ts";

export interface ProgressBarOptions {
  out: NodeJS.WritableStream;
  /** Redraw one line in place (a terminal) instead of printing plain lines. */
  tty: boolean;
  /** Bar width in characters (default 24). */
  width?: number;
  /** Plain mode also prints at least this often (default 30 s), besides every 10%. */
  plainEveryMs?: number;
  now?: () => number;
}

export interface ProgressBar {
  start(info: { label: string; total: number; skipped: number }): void;
  update(progress: EvalProgress): void;
  /** Ends the current run's line. */
  finish(): void;
}

/**
 * Evaluation progress on stderr: done/total, accuracy so far, tokens, cost and ETA. On a terminal
 * one line is redrawn (at most ten times a second); otherwise a plain line is printed at every 10%
 * and at least every `plainEveryMs`, so logs stay readable.
 */
export function createProgressBar(options: ProgressBarOptions): ProgressBar {
  const { out, tty, width = 24, plainEveryMs = 30_000, now = Date.now } = options;
  let label = "";
  let started = 0;
  let lastDraw = 0;
  let lastDecile = -1;
  let last: EvalProgress | undefined;
  let open = false;

  const line = (p: EvalProgress) => {
    const fraction = p.total ? p.done / p.total : 1;
    const filled = Math.round(fraction * width);
    const bar = tty ? `${"█".repeat(filled)}${"░".repeat(width - filled)} ` : "";
    const accuracy = p.done ? `${((100 * p.correct) / p.done).toFixed(1)}%` : "–";
    const elapsed = now() - started;
    const eta = p.done && p.done < p.total ? ` · ETA ${duration((elapsed / p.done) * (p.total - p.done))}` : "";
    const errors = p.errors ? ` · ${p.errors} errors` : "";
    const skipped = p.skipped ? ` (+${p.skipped} done before)` : "";
    return `${label} ${bar}${p.done}/${p.total}${skipped} · acc ${accuracy} · ${tokens(p.tokens)} tok · $${p.cost_usd.toFixed(4)}${errors}${eta}`;
  };

  return {
    start(info) {
      label = info.label;
      started = now();
      lastDraw = 0;
      lastDecile = -1;
      last = undefined;
      open = true;
      if (info.total === 0) {
        out.write(`${label} all ${info.skipped} questions already done\n`);
        open = false;
      } else if (!tty)
        out.write(`${label} ${info.total} questions to do${info.skipped ? `, ${info.skipped} done before` : ""}\n`);
    },
    update(p) {
      last = p;
      const t = now();
      if (tty) {
        if (t - lastDraw < 100 && p.done < p.total) return;
        lastDraw = t;
        out.write(`\r\x1b[2K${line(p)}`);
        return;
      }
      const decile = Math.floor((10 * p.done) / Math.max(1, p.total));
      if (decile > lastDecile || t - lastDraw >= plainEveryMs) {
        lastDecile = decile;
        lastDraw = t;
        out.write(`${line(p)}\n`);
      }
    },
    finish() {
      if (!open) return;
      open = false;
      if (tty) out.write(last ? `\r\x1b[2K${line(last)}\n` : "\n");
    },
  };
}

function tokens(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : String(n);
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
