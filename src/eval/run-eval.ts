import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import type { Span } from "../trace/span.ts";
import type { EvalStore } from "./eval-store.ts";
import { evaluateAndSave } from "./evaluate-and-save.ts";
import { EvalRunError } from "./eval-run-error.ts";
import type { EvalRunPlan } from "./plan-eval-runs.ts";
import { runKey } from "./run-key.ts";
import type { RunSettings } from "./run-settings.ts";
import { summarizeRun, type RunSummary } from "./summarize-run.ts";

export { runKey } from "./run-key.ts";

/** Where a run stands, after each question. */
export interface EvalProgress {
  plan: EvalRunPlan;
  /** 0-based index of the run among all runs, and how many runs there are. */
  run: number;
  runs: number;
  /** Questions graded in this invocation, out of `total` still to do. */
  done: number;
  total: number;
  /** Questions already finished by an earlier invocation. */
  skipped: number;
  correct: number;
  errors: number;
  tokens: number;
  cost_usd: number;
}

/** The run settings (shared with `lmx tune`), the plans, and how to report. */
export interface RunEvalOptions extends RunSettings {
  plans: readonly EvalRunPlan[];
  /** A run whose first this-many questions all fail is given up (default 5; 0 never gives up). */
  failFast?: number;
  onRunStart?(info: { plan: EvalRunPlan; run: number; runs: number; total: number; skipped: number }): void;
  onProgress?(progress: EvalProgress): void;
  /** Each question's finished trace (for exporters). */
  onTrace?(span: Span): void;
}

/** Runs evaluations: runEval here, or a queue's runner (src/eval/queue/) that lmx workers serve. */
export type EvalRunner = (options: RunEvalOptions) => Promise<EvalOutcome>;

export interface EvalOutcome {
  /** One summary per plan, over every stored result of the dataset's questions (earlier invocations included). */
  runs: RunSummary[];
  /** The signal fired: some questions are still to do (rerun to resume). */
  interrupted: boolean;
}

/**
 * Evaluates each plan over the dataset, one run after another, `concurrency` questions at a time.
 * Every graded question is committed to the store at once, and questions the store already holds
 * (keyed by dataset hash, model, canonical technique and question id) are skipped, so a run killed
 * or interrupted midway resumes where it stopped. Questions in flight when the signal fires are
 * dropped, never stored half-done.
 */
export async function runEval(options: RunEvalOptions): Promise<EvalOutcome> {
  const { dataset, plans, store, signal } = options;
  const settings: RunSettings = options;
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new InvalidRequestError(`concurrency must be a whole number >= 1, got ${concurrency}`, {
      param: "concurrency",
    });
  const failFast = options.failFast === 0 ? Infinity : (options.failFast ?? 5);
  let interrupted = false;

  for (const [index, plan] of plans.entries()) {
    if (signal?.aborted) {
      interrupted = true;
      break;
    }
    const key = runKey(dataset.hash, plan);
    const finished = await store.finished(key);
    const pending = dataset.records.filter((r) => !finished.has(r.id));
    const skipped = dataset.records.length - pending.length;
    options.onRunStart?.({ plan, run: index, runs: plans.length, total: pending.length, skipped });
    const progress: EvalProgress = {
      plan,
      run: index,
      runs: plans.length,
      done: 0,
      total: pending.length,
      skipped,
      correct: 0,
      errors: 0,
      tokens: 0,
      cost_usd: 0,
    };
    let next = 0;
    let failure: { error: unknown } | undefined;
    let streak = 0;

    const worker = async () => {
      while (!failure && !signal?.aborted && next < pending.length) {
        const record = pending[next++]!;
        try {
          const outcome = await evaluateAndSave(settings, record, plan);
          if (outcome.interrupted) continue;
          const { result, span } = outcome;
          options.onTrace?.(span);
          progress.done++;
          if (result.correct) progress.correct++;
          progress.tokens += result.prompt_tokens + result.completion_tokens;
          progress.cost_usd += result.cost_usd;
          if (result.error !== undefined) {
            progress.errors++;
            // Only an unbroken run of failures from the start, with more questions to go, stops early.
            if (streak >= 0 && ++streak >= failFast && pending.length > failFast)
              failure ??= {
                error: new EvalRunError({ technique: plan.technique, failed: streak, message: result.error }),
              };
          } else streak = -1;
          options.onProgress?.({ ...progress });
        } catch (error) {
          failure ??= { error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, pending.length)) }, worker));
    if (failure) throw failure.error;
    if (signal?.aborted) interrupted = true;
  }
  return { runs: await summarize(store, dataset, plans), interrupted };
}

async function summarize(
  store: EvalStore,
  dataset: RunSettings["dataset"],
  plans: readonly EvalRunPlan[],
): Promise<RunSummary[]> {
  const ids = new Set(dataset.records.map((r) => r.id));
  const runs: RunSummary[] = [];
  for (const plan of plans) {
    const results = (await store.results(runKey(dataset.hash, plan))).filter((r) => ids.has(r.question_id));
    runs.push(summarizeRun({ technique: plan.technique, model: plan.model, results }));
  }
  return runs;
}
