import { AbortedError } from "../core/errors/aborted-error.ts";
import type { ChatRequest } from "../core/types.ts";
import type { EvalRecord } from "../eval/eval-record.ts";
import { EvalRunError } from "../eval/eval-run-error.ts";
import type { EvalStore } from "../eval/eval-store.ts";
import type { EvalRunPlan } from "../eval/plan-eval-runs.ts";
import { runEval, type EvalProgress } from "../eval/run-eval.ts";
import type { RunSummary } from "../eval/summarize-run.ts";
import type { AnswerKind } from "../techniques/answers/index.ts";

export interface EvaluateCandidateOptions {
  plan: EvalRunPlan;
  records: readonly EvalRecord[];
  store: EvalStore;
  /** The data file's hash: results are stored (and found again) under it. */
  datasetHash: string;
  answer: AnswerKind;
  concurrency?: number;
  seed?: number;
  request?: Partial<ChatRequest>;
  signal?: AbortSignal;
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
    const outcome = await runEval({
      dataset: { hash: options.datasetHash, records: options.records },
      plans: [options.plan],
      store: options.store,
      answer: options.answer,
      concurrency: options.concurrency,
      seed: options.seed,
      request: options.request,
      signal: options.signal,
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
