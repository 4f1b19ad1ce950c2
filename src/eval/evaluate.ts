import { join, resolve } from "node:path";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import { ConfigurationError } from "../core/errors/configuration-error.ts";
import { parseAnswerKind } from "../techniques/answers/index.ts";
import type { SpecEnv } from "../techniques/spec/index.ts";
import { EvalStore } from "./eval-store.ts";
import { loadEvalData, type DataProblem, type EvalDataset } from "./load-eval-data.ts";
import { planEvalRuns, type EvalRunPlan } from "./plan-eval-runs.ts";
import { runEval, type EvalOutcome, type EvalRunner, type RunEvalOptions } from "./run-eval.ts";
import type { RunSettings } from "./run-settings.ts";
import { writeEvalRecords } from "./write-eval-records.ts";
import { writeEvalReport } from "./write-eval-report.ts";
import { defaultResultsPath } from "../store/lmx-dirs.ts";

export interface EvaluateOptions extends Pick<
  RunEvalOptions,
  "concurrency" | "budget" | "signal" | "seed" | "request" | "failFast" | "onRunStart" | "onProgress" | "onTrace"
> {
  /** The data file (JSON lines, or a `*.bank.jsonl` sample bank). */
  data: string;
  /** The environment whose XDG_STATE_HOME places the default results file (the CLI passes its own; default: none, so ~/.local/state/lmx). */
  dirsEnv?: NodeJS.ProcessEnv;
  /** Model spec for techniques that do not name their own `@model`. */
  model?: string;
  /** Technique specs; sweeps expand. None (or "none") evaluates the bare model. */
  techniques: readonly string[];
  /**
   * Answer kind: number, choice, text, literal, date, auto or regex:<pattern>. Unset: each run grades
   * with the kind its spec gave (`self-consistency(answer=date)`), else auto.
   */
  answer?: string;
  /** Only the first `limit` good records. */
  limit?: number;
  /** Report folder: report.html goes there, and results.sqlite unless `results` is given. */
  out?: string;
  /** Results file (default `<out>/results.sqlite`, else `eval.sqlite` in the state folder, see lmxDirs). */
  results?: string;
  /** A results store to use instead of the file (PostgreSQL, from openStores); the caller closes it. */
  store?: EvalStore;
  /** Also write one JSON line per question and technique here (see EvalRecordLine). */
  records?: string;
  env: SpecEnv;
  /** Runs the plans (default runEval, in this process; a queue runner hands them to lmx workers). */
  runner?: EvalRunner;
  /** Each bad record of the data file (evaluation goes on without it). */
  onProblem?(problem: DataProblem): void;
}

export interface Evaluation {
  dataset: EvalDataset;
  plans: EvalRunPlan[];
  outcome: EvalOutcome;
  /** Where results are kept. */
  results: string;
  /** report.html, when `out` was given. */
  report?: string;
  /** The per-question records file, when `records` was given. */
  records?: string;
}

/**
 * `lmx eval` as a library call: loads the data, plans the runs (sweeps expanded), evaluates them
 * resumably into the results file and, with `out`, writes report.html.
 */
export async function evaluate(options: EvaluateOptions): Promise<Evaluation> {
  const kind = options.answer === undefined ? undefined : parseAnswerKind(options.answer);
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 1))
    throw new InvalidRequestError(`limit must be a whole number >= 1, got ${options.limit}`, { param: "limit" });
  const dataset = loadEvalData({ path: options.data });
  for (const problem of dataset.problems) options.onProblem?.(problem);
  const records = options.limit === undefined ? dataset.records : dataset.records.slice(0, options.limit);
  if (records.length === 0) throw new ConfigurationError(`${options.data} has no usable records`); // a bad file, as an empty one is: status 1, not bad usage
  const plans = planEvalRuns({
    techniques: options.techniques,
    model: options.model,
    answer: options.answer,
    env: options.env,
  });

  const results =
    options.store?.path ??
    resolve(
      options.results ??
        (options.out ? join(options.out, "results.sqlite") : defaultResultsPath({ env: options.dirsEnv ?? {} })),
    );
  const store = options.store ?? EvalStore.open({ path: results });
  try {
    const selected = { ...dataset, records };
    const settings: RunSettings = {
      store,
      dataset: selected,
      ...(kind === undefined ? {} : { answer: kind }),
      seed: options.seed,
      request: options.request,
      signal: options.signal,
      concurrency: options.concurrency,
      budget: options.budget,
    };
    const outcome = await (options.runner ?? runEval)({
      ...settings,
      plans,
      failFast: options.failFast,
      onRunStart: options.onRunStart,
      onProgress: options.onProgress,
      onTrace: options.onTrace,
    });
    const report = options.out
      ? await writeEvalReport({ dir: options.out, dataset: selected, plans, runs: outcome.runs, store, results })
      : undefined;
    const lines = options.records
      ? await writeEvalRecords({ path: options.records, dataset: selected, plans, store })
      : undefined;
    return { dataset, plans, outcome, results, ...(report ? { report } : {}), ...(lines ? { records: lines } : {}) };
  } finally {
    if (!options.store) await store.close();
  }
}
