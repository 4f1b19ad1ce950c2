/**
 * Sandbox cost: how long a fresh QuickJS runtime + context takes to start, what a whole
 * `runJavaScript` costs for an empty program, and how fast a small program (sum of the primes below
 * 10,000) runs in the sandbox, each against a baseline measured in the same run: the same program
 * compiled with `new Function` and run natively in the host. The baseline is only a yardstick
 * here; lmx never runs model code that way. Python (Pyodide, one process per run) is measured too.
 *
 * Isolation: the main thread's event-loop lag (worst delay of a 10 ms interval timer) while a
 * sandboxed `while (true) {}` runs for its 2 s limit, against the lag of an idle loop measured in
 * the same run, and against the same loop run in the main thread (how runs were made before worker
 * threads). And the warm pool: a run on a warm worker against a cold run that starts its worker.
 *
 *   node --import tsx bench/sandbox.ts
 */
import { pathToFileURL } from "node:url";
import { runPython } from "../src/sandbox/python/run-python.ts";
import { JavaScriptWorkers } from "../src/sandbox/javascript-workers.ts";
import { quickJSModule } from "../src/sandbox/quickjs-module.ts";
import { runJavaScript } from "../src/sandbox/run-javascript.ts";
import { runQuickJS } from "../src/sandbox/run-quickjs.ts";
import { sandboxLimits } from "../src/sandbox/sandbox-result.ts";

const PRIMES_JS = `let sum = 0;
for (let n = 2; n < 10000; n++) {
  let prime = true;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) { prime = false; break; }
  if (prime) sum += n;
}
sum`;
const PRIMES_PY = `total = 0
for n in range(2, 10000):
    if all(n % d for d in range(2, int(n ** 0.5) + 1)):
        total += n
total`;
const EXPECTED = 5736396;

export interface SandboxBenchResult {
  name: "sandbox";
  iterations: number;
  /** Median ms to create and dispose a QuickJS runtime + context. */
  quickjs_start_ms: number;
  /** Median ms of runJavaScript("0"): start-up, console, result reading, disposal. */
  run_empty_ms: number;
  /** Median ms of runJavaScript(primes) and of the same program natively (baseline only). */
  run_primes_ms: number;
  baseline_native_primes_ms: number;
  /** Sandbox / native for the primes program. */
  primes_ratio: number;
  /** Sandbox start-up / native primes run: how start-up compares to a small real program. */
  start_vs_native_primes: number;
  python?: { runs: number; run_primes_ms: number; ratio_to_native: number };
  /** Worst event-loop lag (ms) over 2 s: idle, while a sandboxed loop runs, while the loop runs in the main thread. */
  lag: { idle_ms: number; sandbox_loop_ms: number; in_thread_loop_ms: number; sandbox_vs_idle: number };
  /** Median ms of runJavaScript("0") on a warm worker, and of a cold run that starts its worker first. */
  pool: { warm_run_ms: number; cold_run_ms: number; cold_vs_warm: number };
}

export async function run(
  options: {
    iterations?: number;
    pythonRuns?: number;
    coldRuns?: number;
    loopMs?: number;
    log?: (line: string) => void;
  } = {},
): Promise<SandboxBenchResult> {
  const { iterations = 50, pythonRuns = 2, coldRuns = 5, loopMs = 2000, log = console.log } = options;
  const module = await quickJSModule();
  const start = await sample(iterations, () => {
    const runtime = module.newRuntime();
    const context = runtime.newContext();
    context.dispose();
    runtime.dispose();
  });
  const empty = await sample(iterations, async () => check(await runJavaScript("0"), 0));
  const primes = await sample(iterations, async () =>
    check(await runJavaScript(PRIMES_JS, { timeoutMs: 30_000 }), EXPECTED),
  );
  // Baseline: the same source, compiled and run by the host's V8 (a yardstick, never used by lmx).
  const native = await sample(iterations, () => {
    if (new Function(PRIMES_JS.replace(/sum$/, "return sum;"))() !== EXPECTED)
      throw new Error("baseline computed a wrong sum");
  });
  const result: SandboxBenchResult = {
    name: "sandbox",
    iterations,
    quickjs_start_ms: start,
    run_empty_ms: empty,
    run_primes_ms: primes,
    baseline_native_primes_ms: native,
    primes_ratio: round(primes / native),
    start_vs_native_primes: round(start / native),
    lag: await lags(module, loopMs),
    pool: await poolCost(coldRuns),
  };
  if (pythonRuns > 0) {
    const python = await sample(pythonRuns, async () =>
      check(await runPython(PRIMES_PY, { timeoutMs: 60_000 }), EXPECTED),
    );
    result.python = { runs: pythonRuns, run_primes_ms: python, ratio_to_native: round(python / native) };
  }
  log(table(result));
  return result;
}

/** Worst lag of a 10 ms interval timer while `work` runs (idle: a plain wait of the same length). */
async function worstLag(work: () => Promise<unknown> | unknown): Promise<number> {
  let worst = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 10);
    last = now;
  }, 10);
  try {
    await new Promise((r) => setTimeout(r, 20));
    await work();
    await new Promise((r) => setTimeout(r, 20));
  } finally {
    clearInterval(timer);
  }
  return round(Math.max(0, worst));
}

async function lags(
  module: Awaited<ReturnType<typeof quickJSModule>>,
  loopMs: number,
): Promise<SandboxBenchResult["lag"]> {
  await runJavaScript("0"); // a warm worker: the figure is the loop's, not a start-up's
  const idle = await worstLag(() => new Promise((r) => setTimeout(r, loopMs)));
  const sandboxed = await worstLag(async () => {
    const r = await runJavaScript("while (true) {}", { timeoutMs: loopMs });
    if (r.limit !== "time") throw new Error(`the looping program ended with ${r.error}`);
  });
  const inThread = await worstLag(() =>
    runQuickJS(module, "while (true) {}", { ...sandboxLimits({}), timeoutMs: loopMs }),
  );
  return {
    idle_ms: idle,
    sandbox_loop_ms: sandboxed,
    in_thread_loop_ms: inThread,
    sandbox_vs_idle: round(sandboxed / Math.max(idle, 1)),
  };
}

async function poolCost(coldRuns: number): Promise<SandboxBenchResult["pool"]> {
  const warm = await sample(coldRuns * 4, async () => check(await runJavaScript("0"), 0));
  const limits = sandboxLimits({});
  const cold = await sample(coldRuns, async () => {
    const workers = new JavaScriptWorkers(1);
    try {
      const r = await workers.run("0", limits);
      if (!r.ok || r.result !== 0) throw new Error(`the cold run gave ${r.error}`);
    } finally {
      await workers.close();
    }
  });
  return { warm_run_ms: warm, cold_run_ms: cold, cold_vs_warm: round(cold / warm) };
}

function check(r: { ok: boolean; result?: unknown; error?: string }, expected: number): void {
  if (!r.ok || r.result !== expected)
    throw new Error(`the sandboxed program gave ${r.error ?? JSON.stringify(r.result)}, expected ${expected}`);
}

/** Median wall time of `n` runs after one warm-up run. */
async function sample(n: number, fn: () => unknown): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return round(times[Math.floor(times.length / 2)]!);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function table(r: SandboxBenchResult): string {
  const row = (name: string, ms: number, note = "") => `| ${name.padEnd(44)} | ${ms.toFixed(3).padStart(10)} | ${note}`;
  return [
    `sandbox: medians of ${r.iterations} runs (ms)`,
    row(
      "QuickJS runtime + context, create + dispose",
      r.quickjs_start_ms,
      `${r.start_vs_native_primes.toFixed(2)}x the native primes run`,
    ),
    row("runJavaScript('0'), whole path", r.run_empty_ms),
    row("runJavaScript(sum of primes < 10,000)", r.run_primes_ms, `${r.primes_ratio.toFixed(1)}x native`),
    row("baseline: same program, native new Function", r.baseline_native_primes_ms, "baseline only, never used by lmx"),
    ...(r.python
      ? [
          row(
            `runPython(primes), fresh process (${r.python.runs} runs)`,
            r.python.run_primes_ms,
            `${r.python.ratio_to_native.toFixed(0)}x native, Pyodide load included`,
          ),
        ]
      : []),
    row("runJavaScript('0') on a warm worker", r.pool.warm_run_ms),
    row("runJavaScript('0') starting its worker (cold)", r.pool.cold_run_ms, `${r.pool.cold_vs_warm.toFixed(1)}x warm`),
    "event-loop lag, worst over the loop (ms)",
    row("idle (baseline)", r.lag.idle_ms),
    row("while (true) {} in a sandbox worker", r.lag.sandbox_loop_ms, `${r.lag.sandbox_vs_idle.toFixed(1)}x idle`),
    row(
      "while (true) {} in the main thread (before)",
      r.lag.in_thread_loop_ms,
      "what a loop cost before worker threads",
    ),
  ].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
