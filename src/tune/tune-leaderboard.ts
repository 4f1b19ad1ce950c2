import { paretoFrontier } from "../eval/pareto-frontier.ts";
import type { RunSummary } from "../eval/summarize-run.ts";
import { formatTechniqueSpec } from "../techniques/spec/index.ts";
import { standing, type CandidateState } from "./run-halving.ts";
import type { CandidateOrigin } from "./search-space.ts";
import { compareStandings, type DropReason } from "./select-survivors.ts";
import { reasoningEffortOf } from "./with-reasoning-effort.ts";
import { budgetExcess, rankedCompute, type Compute, type TuneBudget } from "./tune-budget.ts";

/** One candidate's row: its figures on the most questions it reached. */
export interface TuneEntry {
  /** The full LM spec (techniques, canonical, then `@model`): what `lmx ask -m` takes. */
  spec: string;
  /** The technique spec as tuned ("none" is the bare model). */
  technique: string;
  /** The reasoning_effort its spec sends (a `reasoning-effort` layer), if any. */
  reasoningEffort?: string;
  origin: CandidateOrigin;
  accuracy: number;
  ci95: [number, number];
  correct: number;
  /** Dev questions it was evaluated on (all of them for finalists). */
  questions: number;
  compute: Compute;
  withinBudget: boolean;
  /** Among candidates evaluated on every dev question, no other is at least as accurate for less compute. */
  frontier: boolean;
  /** Rounds it was evaluated in. */
  rounds: number;
  dropped?: { round: number; reason: DropReason; detail: string };
  winner: boolean;
  failed?: string;
}

export interface TunedBest {
  spec: string;
  technique: string;
  reasoningEffort?: string;
  accuracy: number;
  ci95: [number, number];
  questions: number;
  compute: Compute;
  /** Its accuracy on the held-out questions, when some were held out. */
  heldOut?: { accuracy: number; ci95: [number, number]; correct: number; total: number };
}

/** The leaderboard (furthest round first, then most accurate, then cheapest), its frontier and the winner. */
export function leaderboardOf(options: {
  states: readonly CandidateState[];
  winner?: CandidateState;
  budget: TuneBudget;
  heldOut?: RunSummary;
}): { leaderboard: TuneEntry[]; frontier: TuneEntry[]; best?: TunedBest } {
  const { budget, winner } = options;
  const ordered = [...options.states].sort(
    (a, b) => b.questions - a.questions || b.rounds - a.rounds || compareStandings(standing(a), standing(b), budget),
  );
  const entries = ordered.map((s): TuneEntry => {
    const { compute } = standing(s);
    const effort = reasoningEffortOf(s.candidate.technique);
    return {
      spec: formatTechniqueSpec(s.candidate.plan.lm),
      technique: s.candidate.technique,
      ...(effort ? { reasoningEffort: effort } : {}),
      origin: s.candidate.origin,
      accuracy: s.summary?.accuracy ?? 0,
      ci95: s.summary?.ci95 ?? [0, 1],
      correct: s.summary?.correct ?? 0,
      questions: s.questions,
      compute,
      withinBudget: s.failed === undefined && budgetExcess(compute, budget) === undefined,
      frontier: false,
      rounds: s.rounds,
      ...(s.dropped ? { dropped: s.dropped } : {}),
      winner: s === winner,
      ...(s.failed !== undefined ? { failed: s.failed } : {}),
    };
  });
  // Only candidates measured on the same (whole) dev set are comparable.
  const most = Math.max(0, ...entries.map((e) => e.questions));
  const measured = entries.filter((e) => e.failed === undefined && e.questions === most && most > 0);
  paretoFrontier(measured.map((e) => ({ compute: rankedCompute(e.compute, budget), accuracy: e.accuracy }))).forEach(
    (on, i) => (measured[i]!.frontier = on),
  );
  const top = entries.find((e) => e.winner);
  const held = options.heldOut;
  const best: TunedBest | undefined = top && {
    spec: top.spec,
    technique: top.technique,
    ...(top.reasoningEffort ? { reasoningEffort: top.reasoningEffort } : {}),
    accuracy: top.accuracy,
    ci95: top.ci95,
    questions: top.questions,
    compute: top.compute,
    ...(held
      ? { heldOut: { accuracy: held.accuracy, ci95: held.ci95, correct: held.correct, total: held.total } }
      : {}),
  };
  return { leaderboard: entries, frontier: entries.filter((e) => e.frontier), ...(best ? { best } : {}) };
}
