/**
 * Cascade benchmark: cheap samples stopping early. Replays the CRUXEval output bank (10 recorded
 * CodeLlama-7B samples per question) as the cheap rung of cascade(verify=agreement, samples=10) and
 * compares drawing the samples in batches (batch=1, 2) with drawing all 10 at once: the decisions
 * (accept or escalate) must be identical, and the figure is the share of cheap samples saved. The same
 * is measured on simulated vote sequences (a seeded bank: each question has a true answer drawn with
 * probability p, p spread over 0.2-0.95, the rest split among 1-4 wrong answers), where it also
 * compares adaptive-consistency(max=K) with self-consistency(n=K): accuracy delta and samples.
 * Every sample goes through the accounting path (replayLM over defineProvider).
 *
 *   node --import tsx bench/cascade.ts
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRunContext } from "../src/core/context.ts";
import { resultText } from "../src/core/messages.ts";
import { seededRandom } from "../src/core/seeded-random.ts";
import type { LM } from "../src/core/types.ts";
import { replayLM } from "../src/providers/replay/replay-lm.ts";
import { scriptedLM } from "../src/providers/scripted/scripted-lm.ts";
import { canonicalAnswer, type AnswerKind } from "../src/techniques/answers/index.ts";
import { cascade } from "../src/techniques/cascade/cascade.ts";
import { adaptiveConsistency } from "../src/techniques/sample-many/adaptive-consistency.ts";
import { selfConsistency } from "../src/techniques/sample-many/self-consistency.ts";
import type { Span } from "../src/trace/span.ts";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
export const defaultBank = resolve(repoRoot, "../shared/replay/cruxeval-output.codellama-7b.bank.jsonl");

export interface CascadeFigures {
  bank: string;
  threshold: number;
  batch: number;
  questions: number;
  /** Questions whose decision differs from drawing all samples at once (must be 0). */
  different_decisions: number;
  escalation_rate: number;
  mean_cheap_samples: number;
  /** 1 - mean samples / samples when all are drawn. */
  samples_saved: number;
}

export interface AdaptiveFigures {
  bank: string;
  max: number;
  questions: number;
  sc_accuracy: number;
  ac_accuracy: number;
  /** Points: adaptive minus self-consistency. */
  accuracy_delta: number;
  ac_mean_samples: number;
}

export interface CascadeBenchResult {
  name: "cascade";
  cascade: CascadeFigures[];
  adaptive: AdaptiveFigures[];
  goal: { identical_decisions: true; max_adaptive_drop_points: number };
  met: boolean;
}

interface Bank {
  path: string;
  label: string;
  kind: AnswerKind;
  samples: number;
}

/** Runs the cascade over every question of a bank at each batch size; decisions are compared with batch = samples. */
async function cascadeOn(bank: Bank, threshold: number, batches: number[], limit?: number): Promise<CascadeFigures[]> {
  const cheap = replayLM({ bank: bank.path });
  const records = cheap.bank.records.slice(0, limit ?? cheap.bank.records.length);
  const big = scriptedLM(() => "escalated", { name: "big" });
  const decide = async (batch: number) =>
    mapChunked(records, async (record) => {
      const ctx = createRunContext({ name: "cascade-bench" });
      const lm = cascade(cheap, {
        models: [big],
        verify: "agreement",
        samples: bank.samples,
        threshold,
        answer: typeof bank.kind === "string" ? bank.kind : "auto",
        ...(batch < bank.samples ? { batch } : {}),
      });
      await lm.complete({ messages: [{ role: "user", content: record.question }] }, ctx);
      const step = stepEvents(ctx.span)[0]!;
      return { decision: String(step.decision), drawn: Number(step.drawn) };
    });
  const all = await decide(bank.samples);
  const figures: CascadeFigures[] = [];
  for (const batch of batches) {
    const got = batch === bank.samples ? all : await decide(batch);
    const drawn = got.reduce((s, g) => s + g.drawn, 0) / got.length;
    figures.push({
      bank: bank.label,
      threshold,
      batch,
      questions: got.length,
      different_decisions: got.filter((g, i) => g.decision !== all[i]!.decision).length,
      escalation_rate: round(got.filter((g) => g.decision === "escalate").length / got.length),
      mean_cheap_samples: round(drawn),
      samples_saved: round(1 - drawn / bank.samples),
    });
  }
  return figures;
}

/** adaptive-consistency(max=K) against self-consistency(n=K) on a bank with K samples per question. */
async function adaptiveOn(bank: Bank, limit?: number): Promise<AdaptiveFigures> {
  const base = replayLM({ bank: bank.path });
  const records = base.bank.records.slice(0, limit ?? base.bank.records.length);
  const answer = typeof bank.kind === "string" ? bank.kind : "auto";
  const score = async (lm: LM) =>
    mapChunked(records, async (record) => {
      const ctx = createRunContext({ name: "adaptive-bench" });
      const result = await lm.complete({ messages: [{ role: "user", content: record.question }] }, ctx);
      return {
        right: canonicalAnswer(resultText(result), bank.kind) === canonicalAnswer(record.answer, bank.kind),
        samples: samplesIn(ctx.span),
      };
    });
  const sc = await score(selfConsistency(base, { n: bank.samples, answer }));
  const ac = await score(adaptiveConsistency(base, { max: bank.samples, answer }));
  const accuracy = (xs: { right: boolean }[]) => (100 * xs.filter((x) => x.right).length) / xs.length;
  return {
    bank: bank.label,
    max: bank.samples,
    questions: records.length,
    sc_accuracy: round(accuracy(sc)),
    ac_accuracy: round(accuracy(ac)),
    accuracy_delta: round(accuracy(ac) - accuracy(sc)),
    ac_mean_samples: round(ac.reduce((s, x) => s + x.samples, 0) / ac.length),
  };
}

/**
 * A seeded bank of vote sequences: `questions` questions of `samples` samples; sample answers are the
 * truth with probability p (uniform in 0.2-0.95), else one of 1-4 wrong answers (the first wrong answer
 * twice as likely as the others, so wrong votes can also cluster).
 */
export function simulatedBank(options: { path: string; questions: number; samples: number; seed?: number }): void {
  const random = seededRandom(options.seed ?? 14);
  const lines: string[] = [];
  for (let q = 0; q < options.questions; q++) {
    const p = 0.2 + 0.75 * random();
    const wrong = 1 + Math.floor(random() * 4);
    const truth = String(100 + q);
    const samples = Array.from({ length: options.samples }, () => {
      if (random() < p) return `The answer is ${truth}.`;
      const r = random() * (wrong + 1);
      return `The answer is ${r < 2 ? 1000 + q : 1000 + q + Math.ceil(r - 1)}.`;
    });
    lines.push(
      JSON.stringify({
        id: `sim-${q}`,
        question: `Simulated question ${q}: what is the answer?`,
        answer: truth,
        samples,
      }),
    );
  }
  writeFileSync(options.path, lines.join("\n") + "\n");
}

/** Runs both comparisons on the CRUXEval bank (when present) and on simulated vote sequences, and prints tables. */
export async function run(
  options: { bank?: string; limit?: number; simulated?: number; log?: (line: string) => void } = {},
): Promise<CascadeBenchResult> {
  const { bank = defaultBank, limit, simulated = 600, log = console.log } = options;
  const dir = mkdtempSync(join(tmpdir(), "lmx-cascade-bench-"));
  try {
    const banks: Bank[] = [];
    if (existsSync(bank)) banks.push({ path: bank, label: "cruxeval (10 samples)", kind: "literal", samples: 10 });
    else log(`cascade: ${bank} is absent; simulated vote sequences only`);
    for (const samples of [10, 20]) {
      const path = join(dir, `simulated-${samples}.bank.jsonl`);
      simulatedBank({ path, questions: simulated, samples });
      banks.push({ path, label: `simulated (${samples} samples)`, kind: "number", samples });
    }
    const cascades: CascadeFigures[] = [];
    const adaptive: AdaptiveFigures[] = [];
    for (const b of banks) {
      for (const threshold of [0.5, 0.7, 1])
        cascades.push(...(await cascadeOn(b, threshold, [b.samples, 1, 2, 5], limit)));
      adaptive.push(await adaptiveOn(b, limit));
    }
    const goal = { identical_decisions: true as const, max_adaptive_drop_points: 0.2 };
    const met =
      cascades.every((c) => c.different_decisions === 0) &&
      adaptive.every((a) => a.accuracy_delta >= -goal.max_adaptive_drop_points);
    const result: CascadeBenchResult = { name: "cascade", cascade: cascades, adaptive, goal, met };
    log(tables(result));
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function mapChunked<T, R>(items: readonly T[], f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let start = 0; start < items.length; start += 32)
    out.push(...(await Promise.all(items.slice(start, start + 32).map(f))));
  return out;
}

function stepEvents(span: Span): Record<string, unknown>[] {
  const own = span.events.filter((e) => e.name === "step" && e.data.decision !== "final").map((e) => e.data);
  return [...own, ...span.children.flatMap(stepEvents)];
}

function samplesIn(span: Span): number {
  const own = span.kind === "lm" && Array.isArray(span.attributes.output) ? span.attributes.output.length : 0;
  return span.children.reduce((sum, child) => sum + samplesIn(child), own);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function tables(r: CascadeBenchResult): string {
  const c = r.cascade.map(
    (f) =>
      `| ${f.bank.padEnd(22)} | ${f.threshold.toFixed(1).padStart(4)} | ${String(f.batch).padStart(5)} | ${String(f.different_decisions).padStart(9)} | ${f.escalation_rate.toFixed(3).padStart(9)} | ${f.mean_cheap_samples.toFixed(2).padStart(9)} | ${(100 * f.samples_saved).toFixed(1).padStart(6)}% |`,
  );
  const a = r.adaptive.map(
    (f) =>
      `| ${f.bank.padEnd(22)} | ${String(f.max).padStart(4)} | ${f.sc_accuracy.toFixed(2).padStart(7)} | ${f.ac_accuracy.toFixed(2).padStart(7)} | ${f.accuracy_delta.toFixed(2).padStart(6)} | ${f.ac_mean_samples.toFixed(2).padStart(10)} |`,
  );
  return [
    "cascade(verify=agreement): cheap samples drawn in batches vs all at once (identical decisions required)",
    "| bank                   |    T | batch | decisions | escalated | samples/q |  saved |",
    "|------------------------|------|-------|-----------|-----------|-----------|--------|",
    ...c,
    "",
    "adaptive-consistency(max=K) vs self-consistency(n=K)",
    "| bank                   |    K |   SC(K) |   AC(K) |  delta | AC samples |",
    "|------------------------|------|---------|---------|--------|------------|",
    ...a,
    `goal: every batched decision equals the all-samples one; adaptive within ${r.goal.max_adaptive_drop_points} points of self-consistency — ${r.met ? "PASS" : "MISS"}`,
  ].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
