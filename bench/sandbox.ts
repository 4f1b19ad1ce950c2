/**
 * Sandbox cost: how long a fresh QuickJS runtime + context takes to start, what a whole
 * `runJavaScript` costs for an empty program, and how fast a small program (sum of the primes below
 * 10,000) runs in the sandbox, each against a baseline measured in the same run: the same program
 * compiled with `new Function` and run natively in the host. The baseline is only a yardstick
 * here; lmx never runs model code that way. Python (Pyodide, one process per run) is measured too.
 *
 *   node --import tsx bench/sandbox.ts
 */
import { pathToFileURL } from "node:url";
import { runPython } from "../src/sandbox/python/run-python.ts";
import { quickJSModule } from "../src/sandbox/quickjs-module.ts";
import { runJavaScript } from "../src/sandbox/run-javascript.ts";

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
}

export async function run(options: { iterations?: number; pythonRuns?: number; log?: (line: string) => void } = {}): Promise<SandboxBenchResult> {
  const { iterations = 50, pythonRuns = 2, log = console.log } = options;
  const module = await quickJSModule();
  const start = await sample(iterations, () => {
    const runtime = module.newRuntime();
    const context = runtime.newContext();
    context.dispose();
    runtime.dispose();
  });
  const empty = await sample(iterations, async () => check(await runJavaScript("0"), 0));
  const primes = await sample(iterations, async () => check(await runJavaScript(PRIMES_JS, { timeoutMs: 30_000 }), EXPECTED));
  // Baseline: the same source, compiled and run by the host's V8 (a yardstick, never used by lmx).
  const native = await sample(iterations, () => {
    if (new Function(PRIMES_JS.replace(/sum$/, "return sum;"))() !== EXPECTED) throw new Error("baseline computed a wrong sum");
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
  };
  if (pythonRuns > 0) {
    const python = await sample(pythonRuns, async () => check(await runPython(PRIMES_PY, { timeoutMs: 60_000 }), EXPECTED));
    result.python = { runs: pythonRuns, run_primes_ms: python, ratio_to_native: round(python / native) };
  }
  log(table(result));
  return result;
}

function check(r: { ok: boolean; result?: unknown; error?: string }, expected: number): void {
  if (!r.ok || r.result !== expected) throw new Error(`the sandboxed program gave ${r.error ?? JSON.stringify(r.result)}, expected ${expected}`);
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
    row("QuickJS runtime + context, create + dispose", r.quickjs_start_ms, `${r.start_vs_native_primes.toFixed(2)}x the native primes run`),
    row("runJavaScript('0'), whole path", r.run_empty_ms),
    row("runJavaScript(sum of primes < 10,000)", r.run_primes_ms, `${r.primes_ratio.toFixed(1)}x native`),
    row("baseline: same program, native new Function", r.baseline_native_primes_ms, "baseline only, never used by lmx"),
    ...(r.python ? [row(`runPython(primes), fresh process (${r.python.runs} runs)`, r.python.run_primes_ms, `${r.python.ratio_to_native.toFixed(0)}x native, Pyodide load included`)] : []),
  ].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
