/**
 * Tuning cost: `tune()` over the 800-question CRUXEval bank on `replay:` (free, so the figures are
 * question-runs and lmx's own time), with the default candidates and their discovered variants,
 * under a token budget, by successive halving and by the full grid. Reports question-runs, wall
 * time and each strategy's winner; the goal is that halving needs at most half the grid's
 * question-runs and picks a winner whose dev accuracy is inside the grid winner's 95% interval.
 *
 *   node --import tsx bench/tune.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { replayLM } from "../src/providers/replay/replay-lm.ts";
import { defaultRegistry } from "../src/techniques/registry.ts";
import { tune, type TuneResult } from "../src/tune/index.ts";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const defaultBank = resolve(repoRoot, "../shared/replay/cruxeval-output.codellama-7b.bank.jsonl");

export interface TuneBenchResult {
  name: "tune";
  candidates: number;
  budget_tokens_per_question: number;
  halving: { question_runs: number; ms: number; winner: string; accuracy: number };
  grid: { question_runs: number; ms: number; winner: string; accuracy: number; ci95: [number, number] };
  /** halving question-runs / grid question-runs. */
  ratio: number;
  goal: { max_ratio: number };
  met: boolean;
}

export async function run(
  options: { bank?: string; budget?: number; log?: (line: string) => void } = {},
): Promise<TuneBenchResult> {
  const { bank = defaultBank, budget = 150, log = console.log } = options;
  const lm = replayLM({ bank });
  const env = { registry: defaultRegistry(), resolveModel: () => lm };
  const work = mkdtempSync(join(tmpdir(), "lmx-bench-tune-"));
  try {
    const once = async (strategy: "successive-halving" | "grid") => {
      const started = performance.now();
      const result: TuneResult = await tune({
        data: bank,
        model: `replay:${bank}`,
        env,
        answer: "literal",
        budget: { tokens_per_question: budget },
        strategy,
        results: join(work, `${strategy}.sqlite`),
      });
      return { result, ms: Math.round(performance.now() - started) };
    };
    const halving = await once("successive-halving");
    const grid = await once("grid");
    const h = halving.result;
    const g = grid.result;
    const ratio = Math.round((h.evaluated / g.evaluated) * 1000) / 1000;
    const inside = h.best!.accuracy >= g.best!.ci95[0] && h.best!.accuracy <= g.best!.ci95[1];
    const out: TuneBenchResult = {
      name: "tune",
      candidates: h.space.candidates,
      budget_tokens_per_question: budget,
      halving: { question_runs: h.evaluated, ms: halving.ms, winner: h.best!.technique, accuracy: h.best!.accuracy },
      grid: {
        question_runs: g.evaluated,
        ms: grid.ms,
        winner: g.best!.technique,
        accuracy: g.best!.accuracy,
        ci95: g.best!.ci95,
      },
      ratio,
      goal: { max_ratio: 0.5 },
      met: ratio <= 0.5 && inside,
    };
    log(`${out.candidates} candidates, budget ${budget} tokens/question`);
    log(
      `successive halving: ${h.evaluated} question-runs in ${halving.ms} ms, winner ${out.halving.winner} at ${(100 * out.halving.accuracy).toFixed(1)}%`,
    );
    log(
      `grid:               ${g.evaluated} question-runs in ${grid.ms} ms, winner ${out.grid.winner} at ${(100 * out.grid.accuracy).toFixed(1)}%`,
    );
    log(
      `ratio ${ratio} (goal <= 0.5, winner inside the grid winner's interval: ${inside}) ${out.met ? "met" : "NOT met"}`,
    );
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await run();
