import { join, resolve } from "node:path";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import type { ChatRequest, ReasoningEffort } from "../core/types.ts";
import type { EvalRecord } from "../eval/eval-record.ts";
import type { EvalRunner } from "../eval/run-eval.ts";
import type { RunSettings } from "../eval/run-settings.ts";
import { EvalStore } from "../eval/eval-store.ts";
import { loadEvalData, type DataProblem } from "../eval/load-eval-data.ts";
import { planEvalRuns } from "../eval/plan-eval-runs.ts";
import type { EvalProgress } from "../eval/run-eval.ts";
import { parseAnswerKind } from "../techniques/answers/index.ts";
import { parseLMSpec, type SpecEnv } from "../techniques/spec/index.ts";
import { addCandidates, bootstrapCandidates, proposalCandidates } from "./extra-candidates.ts";
import type { ParamRule } from "./parse-param.ts";
import { runHalving, type RoundInfo } from "./run-halving.ts";
import { searchSpace, type SpaceCandidate } from "./search-space.ts";
import type { DropReason } from "./select-survivors.ts";
import { splitData } from "./split-data.ts";
import { leaderboardOf, type TuneEntry, type TunedBest } from "./tune-leaderboard.ts";
import { checkBudget, computeOf, type Compute, type TuneBudget } from "./tune-budget.ts";
import { evaluateCandidate } from "./evaluate-candidate.ts";
import { defaultResultsPath } from "../store/lmx-dirs.ts";

export interface TuneOptions {
  /** The data file (JSON lines, or a `*.bank.jsonl` sample bank). */
  data: string;
  /** The environment whose XDG_STATE_HOME places the default results file (the CLI passes its own; default: none, so ~/.local/state/lmx). */
  dirsEnv?: NodeJS.ProcessEnv;
  /** Model spec (or alias) for candidates that do not name their own `@model`. */
  model?: string;
  /** Candidate specs (sweeps expand, "none" is the bare model); default: DEFAULT_CANDIDATES. */
  candidates?: readonly string[];
  space?: {
    params?: readonly (string | ParamRule)[];
    discover?: boolean;
    maxDimensions?: number;
    maxCandidates?: number;
    /** Also search these reasoning efforts (sent as `reasoning_effort` on every request to the model). */
    reasoningEfforts?: readonly ReasoningEffort[];
  };
  /** Mean compute per question the chosen configuration may spend. */
  budget?: TuneBudget;
  /** Answer kind for grading and for techniques that vote (default auto). */
  answer?: string;
  env: SpecEnv;
  /** Share of the questions held out to test the winner (default 0). */
  testFraction?: number;
  /** Only the first `limit` good records. */
  limit?: number;
  /** Seeds the split and the questions of each round, and is the sampling seed (default 0). */
  seed?: number;
  strategy?: "successive-halving" | "grid";
  /** Fewest questions a round may rank on (default 10). */
  minQuestions?: number;
  /** Questions in flight at once (default 8). */
  concurrency?: number;
  /** Runs each round's evaluations (default runEval, here; a queue runner hands them to lmx workers). */
  runner?: EvalRunner;
  /** Results file (default `eval.sqlite` in the state folder, shared with `lmx eval`; see lmxDirs). */
  results?: string;
  /** A results store to use instead of the file (PostgreSQL, from openStores); the caller closes it. */
  store?: EvalStore;
  /** Extra request fields for every question (temperature, max_tokens...). */
  request?: Partial<ChatRequest>;
  /** Bootstrap up to `demos` demonstrations from training questions and add few-shot candidates. */
  bootstrap?: { demos: number; questions?: number; dir?: string; teacher?: string };
  /** Ask an LM (default: the model) for `prompts` rewrites of each candidate's main instruction. */
  propose?: { prompts: number; model?: string };
  signal?: AbortSignal;
  onProblem?(problem: DataProblem): void;
  onProgress?(progress: TuneProgress): void;
}

export type TuneProgress =
  | { type: "split"; dev: number; test: number; train: number }
  | { type: "space"; candidates: number; skipped: number; truncated: number }
  | { type: "round"; round: number; rounds: number; candidates: number; questions: number }
  | { type: "run-start"; stage: "bootstrap" | "round" | "held-out"; technique: string; total: number; skipped: number }
  | { type: "run-progress"; progress: EvalProgress }
  | {
      type: "run-end";
      stage: "bootstrap" | "round" | "held-out";
      technique: string;
      questions: number;
      accuracy?: number;
      compute?: Compute;
      failed?: string;
    }
  | { type: "dropped"; round: number; technique: string; reason: DropReason; detail: string };

export interface TuneResult {
  /** The most accurate configuration within the budget; absent when none fits. */
  best?: TunedBest;
  leaderboard: TuneEntry[];
  /** Entries on the accuracy-versus-compute Pareto frontier, among those evaluated on every dev question. */
  frontier: TuneEntry[];
  rounds: RoundInfo[];
  split: { dev: number; test: number; train: number };
  space: { candidates: number; skipped: { technique: string; reason: string }[]; truncated: number };
  demos?: { path?: string; count: number; tried: number; correct: number };
  proposals?: { added: number; failures: string[] };
  /** Question-runs evaluated by this call; `reused` came from the results file. */
  evaluated: number;
  reused: number;
  results: string;
}

/**
 * Chooses a technique, its parameters and prompts for a model on a dataset: the compile step of
 * DSPy's optimizers, with lmx's eval harness as the metric. The search space comes from walking
 * the candidates' techniques (searchSpace), demonstrations can be bootstrapped (few-shot) and
 * instructions rewritten (OPRO-style), and successive halving spends most questions on the
 * candidates still in the race. Every graded question goes to the results file, so a rerun resumes
 * and costs nothing for finished questions.
 */
export async function tune(options: TuneOptions): Promise<TuneResult> {
  const kind = parseAnswerKind(options.answer ?? "auto");
  const budget = options.budget ?? {};
  checkBudget(budget);
  const seed = options.seed ?? 0;
  const { env } = options;
  if (options.limit !== undefined && !(Number.isInteger(options.limit) && options.limit >= 1))
    throw new InvalidRequestError(`limit must be a whole number >= 1, got ${options.limit}`, { param: "limit" });
  const dataset = loadEvalData({ path: options.data });
  for (const problem of dataset.problems) options.onProblem?.(problem);
  const records = options.limit === undefined ? dataset.records : dataset.records.slice(0, options.limit);
  const demosWanted = options.bootstrap?.demos ?? 0;
  const trainSize =
    demosWanted > 0
      ? Math.min(options.bootstrap?.questions ?? Math.max(4 * demosWanted, 10), Math.floor(records.length / 4))
      : 0;
  const split = splitData({ records, seed, testFraction: options.testFraction, trainSize });
  options.onProgress?.({ type: "split", dev: split.dev.length, test: split.test.length, train: split.train.length });

  const space = searchSpace({
    ...options.space,
    candidates: options.candidates,
    model: options.model,
    answer: options.answer,
    env,
  });
  const candidates: SpaceCandidate[] = [...space.candidates];
  const results = options.store?.path ?? resolve(options.results ?? defaultResultsPath({ env: options.dirsEnv ?? {} }));
  const store = options.store ?? EvalStore.open({ path: results });
  const counts = { evaluated: 0, reused: 0 };
  // Made once: every evaluation below (bootstrap, rounds, held-out) shares it.
  const settings: RunSettings = {
    store,
    dataset: { hash: dataset.hash, records },
    answer: kind,
    seed,
    request: options.request,
    signal: options.signal,
    concurrency: options.concurrency,
  };
  const plan = (technique: string) =>
    planEvalRuns({ techniques: [technique], model: options.model, answer: options.answer, env })[0]!;
  const evaluate = async (
    stage: "bootstrap" | "round" | "held-out",
    candidate: SpaceCandidate,
    questions: readonly EvalRecord[],
  ) => {
    const technique = candidate.technique;
    const outcome = await evaluateCandidate({
      settings,
      ...(options.runner ? { runner: options.runner } : {}),
      plan: candidate.plan,
      records: questions,
      onRunStart: (info) => options.onProgress?.({ type: "run-start", stage, technique, ...info }),
      onProgress: (progress) => options.onProgress?.({ type: "run-progress", progress }),
    });
    counts.evaluated += outcome.evaluated;
    counts.reused += outcome.reused;
    const { summary, failed } = outcome;
    const figures = summary ? { accuracy: summary.accuracy, compute: computeOf(summary) } : {};
    options.onProgress?.({
      type: "run-end",
      stage,
      technique,
      questions: questions.length,
      ...figures,
      ...(failed ? { failed } : {}),
    });
    return outcome;
  };
  try {
    let demos: TuneResult["demos"];
    if (demosWanted > 0 && split.train.length === 0) demos = { count: 0, tried: 0, correct: 0 };
    else if (demosWanted > 0) {
      const spec = options.bootstrap?.teacher ?? "none";
      const teacher: SpaceCandidate = { technique: spec, plan: plan(spec), origin: "bootstrap", base: spec };
      const boot = await bootstrapCandidates({
        teacher,
        demos: demosWanted,
        dir: options.bootstrap?.dir ?? "tuned",
        records: split.train,
        settings,
        env,
        bases: givenBases(space.candidates),
        ...(options.space?.reasoningEfforts ? { reasoningEfforts: options.space.reasoningEfforts } : {}),
        plan,
        evaluate: (questions) => evaluate("bootstrap", teacher, questions),
      });
      demos = {
        ...(boot.path ? { path: boot.path } : {}),
        count: boot.count,
        tried: boot.tried,
        correct: boot.correct,
      };
      addCandidates(candidates, boot.candidates);
    }
    let proposals: TuneResult["proposals"];
    if ((options.propose?.prompts ?? 0) > 0) {
      const proposer = options.propose?.model ?? options.model ?? env.defaultModel;
      if (!proposer)
        throw new InvalidRequestError("no model to propose prompts with: pass a model or a proposer", {
          param: "proposer",
        });
      const proposed = await proposalCandidates({
        proposer: parseLMSpec(proposer, env),
        bases: givenBases(space.candidates),
        count: options.propose!.prompts,
        registry: env.registry,
        plan,
        skipped: space.skipped,
        signal: settings.signal,
        seed: settings.seed,
      });
      proposals = { added: addCandidates(candidates, proposed.candidates), failures: proposed.failures };
    }
    options.onProgress?.({
      type: "space",
      candidates: candidates.length,
      skipped: space.skipped.length,
      truncated: space.truncated,
    });

    const outcome = await runHalving({
      candidates,
      dev: split.dev,
      budget,
      strategy: options.strategy,
      minQuestions: options.minQuestions,
      measure: (candidate, questions) => evaluate("round", candidate, questions),
      onRound: (info) => options.onProgress?.({ type: "round", ...info }),
      onDropped: (s) =>
        options.onProgress?.({
          type: "dropped",
          round: s.dropped!.round,
          technique: s.candidate.technique,
          reason: s.dropped!.reason,
          detail: s.dropped!.detail,
        }),
    });
    const heldOut =
      outcome.winner && split.test.length > 0
        ? (await evaluate("held-out", outcome.winner.candidate, split.test)).summary
        : undefined;
    const { leaderboard, frontier, best } = leaderboardOf({
      states: outcome.states,
      winner: outcome.winner,
      budget,
      heldOut,
    });
    return {
      ...(best ? { best } : {}),
      leaderboard,
      frontier,
      rounds: outcome.rounds,
      split: { dev: split.dev.length, test: split.test.length, train: split.train.length },
      space: { candidates: candidates.length, skipped: space.skipped, truncated: space.truncated },
      ...(demos ? { demos } : {}),
      ...(proposals ? { proposals } : {}),
      ...counts,
      results,
    };
  } finally {
    if (!options.store) await store.close();
  }
}

/** The candidates' bases as given (or the defaults), each once. */
function givenBases(candidates: readonly SpaceCandidate[]): string[] {
  return [...new Set(candidates.filter((c) => c.origin === "given" || c.origin === "default").map((c) => c.base))];
}
