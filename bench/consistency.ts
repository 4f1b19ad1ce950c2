/**
 * Consistency benchmark: replays the CRUXEval output-prediction bank (800 questions, 10 recorded
 * CodeLlama-7B samples each) through a single sample, self-consistency(n=10) and
 * adaptive-consistency(max=10), and reports accuracy and mean samples per question. Answers are
 * compared as canonical Python literals against the bank's reference. Every sample goes through the
 * accounting path (replayLM over defineProvider), and samples are counted from the trace.
 * Goal: adaptive-consistency within 0.5 points of self-consistency's accuracy with at most half its samples.
 *
 *   node --import tsx bench/consistency.ts
 */
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRunContext } from "../src/core/context.ts";
import { resultText } from "../src/core/messages.ts";
import type { LM } from "../src/core/types.ts";
import { replayLM } from "../src/providers/replay/replay-lm.ts";
import { canonicalAnswer } from "../src/techniques/answers/index.ts";
import { adaptiveConsistency } from "../src/techniques/sample-many/adaptive-consistency.ts";
import { selfConsistency } from "../src/techniques/sample-many/self-consistency.ts";
import type { Span } from "../src/trace/span.ts";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
export const defaultBank = resolve(repoRoot, "../shared/replay/cruxeval-output.codellama-7b.bank.jsonl");

export interface MethodFigures {
  method: string;
  /** Percent of questions whose answer equals the reference literal. */
  accuracy: number;
  mean_samples: number;
  mean_calls: number;
}

export interface ConsistencyResult {
  name: "consistency";
  bank: string;
  questions: number;
  single: MethodFigures;
  self_consistency: MethodFigures;
  adaptive_consistency: MethodFigures;
  /** Other stopping rules, for comparison (not judged). */
  variants: MethodFigures[];
  goal: { max_accuracy_drop: number; max_sample_ratio: number };
  met: boolean;
}

/** Runs every method over the bank (or its first `limit` questions) and prints a table. */
export async function run(
  options: { bank?: string; limit?: number; variants?: boolean; log?: (line: string) => void } = {},
): Promise<ConsistencyResult> {
  const { bank = defaultBank, limit, variants = true, log = console.log } = options;
  const base = replayLM({ bank });
  const records = base.bank.records.slice(0, limit ?? base.bank.records.length);
  const methods: [string, LM][] = [
    ["single sample", base],
    ["self-consistency(n=10)", selfConsistency(base, { n: 10, answer: "literal" })],
    ["adaptive-consistency(max=10)", adaptiveConsistency(base, { max: 10, answer: "literal" })],
  ];
  if (variants)
    methods.push(
      ["  criterion=dirichlet", adaptiveConsistency(base, { max: 10, answer: "literal", criterion: "dirichlet" })],
      ["  criterion=window (ESC, w=4)", adaptiveConsistency(base, { max: 10, answer: "literal", criterion: "window" })],
      ["  batch=2", adaptiveConsistency(base, { max: 10, answer: "literal", batch: 2 })],
      ["  threshold=0.99", adaptiveConsistency(base, { max: 10, answer: "literal", threshold: 0.99 })],
    );

  const gold = records.map((r) => canonicalAnswer(r.answer, "literal"));
  const figures: MethodFigures[] = [];
  for (const [method, lm] of methods) {
    let correct = 0;
    let samples = 0;
    let calls = 0;
    for (let start = 0; start < records.length; start += 32) {
      const chunk = records.slice(start, start + 32);
      const outcomes = await Promise.all(
        chunk.map(async (record, k) => {
          const ctx = createRunContext({ name: "consistency-bench" });
          const result = await lm.complete({ messages: [{ role: "user", content: record.question }] }, ctx);
          return {
            right: canonicalAnswer(resultText(result), "literal") === gold[start + k],
            samples: samplesIn(ctx.span),
            calls: result.usage.calls,
          };
        }),
      );
      for (const o of outcomes) {
        correct += o.right ? 1 : 0;
        samples += o.samples;
        calls += o.calls;
      }
    }
    figures.push({
      method,
      accuracy: round((100 * correct) / records.length),
      mean_samples: round(samples / records.length),
      mean_calls: round(calls / records.length),
    });
  }

  const [single, sc, ac, ...rest] = figures as [MethodFigures, MethodFigures, MethodFigures, ...MethodFigures[]];
  const goal = { max_accuracy_drop: 0.5, max_sample_ratio: 0.5 };
  const met =
    ac.accuracy >= sc.accuracy - goal.max_accuracy_drop && ac.mean_samples <= sc.mean_samples * goal.max_sample_ratio;
  const result: ConsistencyResult = {
    name: "consistency",
    bank,
    questions: records.length,
    single,
    self_consistency: sc,
    adaptive_consistency: ac,
    variants: rest,
    goal,
    met,
  };
  log(table(result));
  return result;
}

/** Samples drawn in a run: the outputs of every LM call in its trace. */
function samplesIn(span: Span): number {
  const own = span.kind === "lm" && Array.isArray(span.attributes.output) ? span.attributes.output.length : 0;
  return span.children.reduce((sum, child) => sum + samplesIn(child), own);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function table(r: ConsistencyResult): string {
  const row = (f: MethodFigures) =>
    `| ${f.method.padEnd(30)} | ${f.accuracy.toFixed(2).padStart(8)} | ${f.mean_samples.toFixed(2).padStart(12)} | ${f.mean_calls.toFixed(2).padStart(10)} |`;
  const ac = r.adaptive_consistency;
  const sc = r.self_consistency;
  return [
    `consistency: ${r.questions} CRUXEval output questions replayed from ${r.bank.split("/").slice(-1)[0]}, answers compared as Python literals`,
    `| ${"method".padEnd(30)} | ${"accuracy".padStart(8)} | ${"samples/q".padStart(12)} | ${"calls/q".padStart(10)} |`,
    `|${"-".repeat(32)}|${"-".repeat(10)}|${"-".repeat(14)}|${"-".repeat(12)}|`,
    ...[r.single, sc, ac].map(row),
    ...(r.variants.length
      ? [
          `| ${"adaptive-consistency variants:".padEnd(30)} | ${"".padStart(8)} | ${"".padStart(12)} | ${"".padStart(10)} |`,
          ...r.variants.map(row),
        ]
      : []),
    `goal: adaptive-consistency within ${r.goal.max_accuracy_drop} points of self-consistency (${ac.accuracy.toFixed(2)} vs ${sc.accuracy.toFixed(2)}) ` +
      `with at most ${r.goal.max_sample_ratio * 100}% of its samples (${ac.mean_samples.toFixed(2)} vs ${sc.mean_samples.toFixed(2)}) — ${r.met ? "PASS" : "MISS"}`,
  ].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
