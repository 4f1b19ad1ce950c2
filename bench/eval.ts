/**
 * Evaluation harness speed: `evaluate()` (what `lmx eval` runs, in-process) over the 800-question
 * CRUXEval bank with three techniques (a single sample, self-consistency(n=10) and
 * adaptive-consistency(max=10)) on `replay:`, which costs nothing, so the time is lmx's own: spec
 * planning, per-question traces and budgets, grading, SQLite results with traces, progress and the
 * report. Baseline in the same run: the same technique LMs called in a bare loop (same concurrency)
 * without the harness. Reports questions per second for both, their ratio, and the harness's
 * overhead per question. Goal: the harness at least half as fast as the bare loop.
 *
 *   node --import tsx bench/eval.ts
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRunContext } from "../src/core/context.ts";
import { evaluate } from "../src/eval/evaluate.ts";
import { evalRequest } from "../src/eval/eval-record.ts";
import { loadEvalData } from "../src/eval/load-eval-data.ts";
import { planEvalRuns } from "../src/eval/plan-eval-runs.ts";
import { replayLM } from "../src/providers/replay/replay-lm.ts";
import { defaultRegistry } from "../src/techniques/registry.ts";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
export const defaultBank = resolve(repoRoot, "../shared/replay/cruxeval-output.codellama-7b.bank.jsonl");
const TECHNIQUES = ["none", "self-consistency(n=10)", "adaptive-consistency(max=10)"];

export interface EvalBenchResult {
  name: "eval";
  questions: number;
  runs: number;
  concurrency: number;
  /** Question-runs per second through `evaluate()` (results file, traces, grading, report). */
  harness_qps: number;
  /** Question-runs per second of the same LMs in a bare loop. */
  bare_qps: number;
  /** harness time / bare time. */
  ratio: number;
  /** Harness time per question-run beyond the bare loop. */
  overhead_ms_per_question: number;
  /** A rerun with every question already done (summaries and report.html only). */
  resume_ms: number;
  report_bytes: number;
  results_bytes: number;
  accuracy: Record<string, number>;
  goal: { max_ratio: number };
  met: boolean;
}

/** Times the harness and the bare loop (alternating, best of `rounds`) and prints the figures. */
export async function run(
  options: { bank?: string; limit?: number; concurrency?: number; rounds?: number; log?: (line: string) => void } = {},
): Promise<EvalBenchResult> {
  const { bank = defaultBank, concurrency = 8, rounds = 2, log = console.log } = options;
  const replay = replayLM({ bank });
  const env = { registry: defaultRegistry(), resolveModel: () => replay };
  const records = loadEvalData({ path: bank }).records.slice(0, options.limit);
  const work = mkdtempSync(join(tmpdir(), "lmx-bench-eval-"));
  try {
    let harnessMs = Infinity;
    let bareMs = Infinity;
    let resumeMs = 0;
    let accuracy: Record<string, number> = {};
    for (let round = 0; round < rounds; round++) {
      bareMs = Math.min(
        bareMs,
        await timed(() =>
          bareLoop(
            records,
            planEvalRuns({ techniques: TECHNIQUES, model: "replay:bank", env }).map((p) => p.lm),
            concurrency,
          ),
        ),
      );
      // A fresh results file each round, so nothing is skipped as already done.
      const out = join(work, `round-${round}`);
      let evaluated: Awaited<ReturnType<typeof evaluate>> | undefined;
      const total = await timed(async () => {
        evaluated = await evaluate({
          data: bank,
          model: "replay:bank",
          techniques: TECHNIQUES,
          answer: "literal",
          limit: options.limit,
          out,
          concurrency,
          env,
        });
      });
      harnessMs = Math.min(harnessMs, total);
      accuracy = Object.fromEntries(
        evaluated!.outcome.runs.map((r) => [r.technique, Math.round(r.accuracy * 10000) / 100]),
      );
      // A rerun finds every question done: it only sums up and writes the report again.
      resumeMs = await timed(async () => {
        await evaluate({
          data: bank,
          model: "replay:bank",
          techniques: TECHNIQUES,
          answer: "literal",
          limit: options.limit,
          out,
          concurrency,
          env,
        });
      });
    }
    const questionRuns = records.length * TECHNIQUES.length;
    const result: EvalBenchResult = {
      name: "eval",
      questions: records.length,
      runs: TECHNIQUES.length,
      concurrency,
      harness_qps: round(questionRuns / (harnessMs / 1000)),
      bare_qps: round(questionRuns / (bareMs / 1000)),
      ratio: round(harnessMs / bareMs),
      overhead_ms_per_question: round((harnessMs - bareMs) / questionRuns),
      resume_ms: round(resumeMs),
      report_bytes: statSync(join(work, "round-0", "report.html")).size,
      results_bytes: statSync(join(work, "round-0", "results.sqlite")).size,
      accuracy,
      goal: { max_ratio: 2 },
      met: harnessMs / bareMs <= 2,
    };
    log(
      [
        `eval: ${records.length} CRUXEval questions × ${TECHNIQUES.length} techniques over replay (concurrency ${concurrency}, best of ${rounds})`,
        `  harness (evaluate: traces, grading, SQLite, report): ${result.harness_qps} question-runs/s`,
        `  bare loop of the same LMs:                          ${result.bare_qps} question-runs/s`,
        `  ratio ${result.ratio}× · overhead ${result.overhead_ms_per_question} ms per question-run · rerun with all done (summary + report) ${result.resume_ms} ms`,
        `  report.html ${(result.report_bytes / 1024).toFixed(0)} KiB · results.sqlite ${(result.results_bytes / 1024).toFixed(0)} KiB · accuracy ${JSON.stringify(accuracy)}`,
        `goal: harness at most ${result.goal.max_ratio}× the bare loop — ${result.met ? "PASS" : "MISS"}`,
      ].join("\n"),
    );
    return result;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The same LMs over the same questions, `concurrency` at a time, with nothing around the calls. */
async function bareLoop(
  records: ReturnType<typeof loadEvalData>["records"],
  lms: { complete: (r: ReturnType<typeof evalRequest>, c: ReturnType<typeof createRunContext>) => Promise<unknown> }[],
  concurrency: number,
): Promise<void> {
  for (const lm of lms) {
    let next = 0;
    const worker = async () => {
      while (next < records.length) await lm.complete(evalRequest(records[next++]!), createRunContext());
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
