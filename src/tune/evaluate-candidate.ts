import { AbortedError } from "../core/errors/aborted-error.ts";
import type { EvalRecord } from "../eval/eval-record.ts";
import { EvalRunError } from "../eval/eval-run-error.ts";
import type { EvalRunPlan } from "../eval/plan-eval-runs.ts";
import { runEval, type EvalProgress, type EvalRunner } from "../eval/run-eval.ts";
import type { RunSettings } from "../eval/run-settings.ts";
import type { RunSummary } from "../eval/summarize-run.ts";

export interface EvaluateCandidateOptions {
  /** The tuning run's settings (store, dataset hash, answer kind, seed, request, signal, concurrency). */
  settings: RunSettings;
  plan: EvalRunPlan;
  /** The questions to evaluate it on (a subset of the settings' dataset). */
  records: readonly EvalRecord[];
  /** Runs the plan (default runEval; a queue runner hands it to lmx workers). */
  runner?: EvalRunner;
  onRunStart?(info: { total: number; skipped: number }): void;
  onProgress?(progress: EvalProgress): void;
}

/** One candidate on some questions: its summary, or why it gave up, and how many questions were new. */
export interface CandidateOutcome {
  summary?: RunSummary;
  failed?: string;
  /** Questions evaluated now; the rest were already in the results file. */
  evaluated: number;
  reused: number;
}

/**
 * Evaluates one plan on `records` through the eval harness (runEval), so finished questions come
 * from the results file and new ones are committed as they finish. A run that gives up (its first
 * questions all fail) is an outcome, not an error, so one broken candidate does not stop tuning;
 * an interrupt is an AbortedError (rerunning resumes).
 */
export async function evaluateCandidate(options: EvaluateCandidateOptions): Promise<CandidateOutcome> {
  let evaluated = 0;
  let reused = 0;
  try {
    const outcome = await (options.runner ?? runEval)({
      ...options.settings,
      dataset: { hash: options.settings.dataset.hash, records: options.records },
      plans: [options.plan],
      onRunStart: ({ total, skipped }) => {
        reused = skipped;
        options.onRunStart?.({ total, skipped });
      },
      onProgress: (p) => {
        evaluated = p.done;
        options.onProgress?.(p);
      },
    });
    if (outcome.interrupted)
      throw new AbortedError("interrupted; finished questions are saved: run the same command again to resume");
    return { summary: outcome.runs[0], evaluated, reused };
  } catch (error) {
    if (!EvalRunError.isInstance(error)) throw error;
    return { failed: error.message, evaluated, reused };
  }
}
