import type { EvalRecord } from "../eval/eval-record.ts";
import type { RunSummary } from "../eval/summarize-run.ts";
import { halvingSchedule } from "./halving-schedule.ts";
import type { SpaceCandidate } from "./search-space.ts";
import { compareStandings, selectSurvivors, type DropReason, type Standing } from "./select-survivors.ts";
import { budgetExcess, computeOf, type TuneBudget } from "./tune-budget.ts";

/** Where one candidate got to. */
export interface CandidateState {
  key: string;
  candidate: SpaceCandidate;
  /** Its figures on the most questions it was evaluated on. */
  summary?: RunSummary;
  failed?: string;
  /** Rounds it was evaluated in, and on how many questions last. */
  rounds: number;
  questions: number;
  dropped?: { round: number; reason: DropReason; detail: string };
}

export interface RoundInfo {
  round: number;
  questions: number;
  candidates: number;
}

export interface RunHalvingOptions {
  candidates: readonly SpaceCandidate[];
  /** Dev questions in their seeded order: round r uses a prefix, so later rounds extend earlier ones. */
  dev: readonly EvalRecord[];
  budget: TuneBudget;
  strategy?: "successive-halving" | "grid";
  minQuestions?: number;
  /** Compute may exceed the budget by this factor before the last round (default 1.25). */
  slack?: number;
  measure(
    candidate: SpaceCandidate,
    records: readonly EvalRecord[],
    round: number,
  ): Promise<{ summary?: RunSummary; failed?: string }>;
  onRound?(info: RoundInfo & { rounds: number }): void;
  onDropped?(state: CandidateState): void;
}

/**
 * Successive halving over the dev set: every candidate on a small prefix, about half kept per
 * round (over-budget and clearly worse ones dropped first), the prefix doubled, until the survivors
 * have seen every dev question. The winner is the most accurate finalist within the budget (ties:
 * the cheaper). If every finalist breaks the budget, earlier-dropped candidates that were within it
 * are evaluated on the whole dev set, best first, until one fits.
 */
export async function runHalving(
  options: RunHalvingOptions,
): Promise<{ states: CandidateState[]; winner?: CandidateState; rounds: RoundInfo[] }> {
  const { dev, budget } = options;
  const states = options.candidates.map(
    (candidate) => ({ key: keyOf(candidate), candidate, rounds: 0, questions: 0 }) as CandidateState,
  );
  const byKey = new Map(states.map((s) => [s.key, s]));
  const sizes = halvingSchedule({
    candidates: states.length,
    questions: dev.length,
    minQuestions: options.minQuestions,
    strategy: options.strategy,
  });
  const rounds: RoundInfo[] = [];
  const measure = async (state: CandidateState, size: number, round: number) => {
    const out = await options.measure(state.candidate, dev.slice(0, size), round);
    Object.assign(state, { rounds: state.rounds + 1, questions: size, summary: out.summary, failed: out.failed });
  };
  const drop = (state: CandidateState, round: number, reason: DropReason, detail: string) => {
    state.dropped = { round, reason, detail };
    options.onDropped?.(state);
  };

  let alive = states;
  for (let r = 0; r < sizes.length && alive.length > 0; r++) {
    // One candidate left has nobody to beat: it goes straight to the whole dev set.
    const last = r === sizes.length - 1 || alive.length === 1;
    const size = last ? dev.length : sizes[r]!;
    rounds.push({ round: r + 1, questions: size, candidates: alive.length });
    options.onRound?.({ round: r + 1, rounds: sizes.length, questions: size, candidates: alive.length });
    for (const state of alive) await measure(state, size, r + 1);
    if (last) break;
    const { survivors, dropped } = selectSurvivors({
      standings: alive.map(standing),
      budget,
      keep: Math.ceil(alive.length / 2),
      slack: options.slack ?? 1.25,
    });
    for (const d of dropped) drop(byKey.get(d.key)!, r + 1, d.reason, d.detail);
    alive = survivors.map((k) => byKey.get(k)!);
  }

  const finalRound = rounds.length;
  const fits = (s: CandidateState) => s.failed === undefined && budgetExcess(standing(s).compute, budget) === undefined;
  for (const s of alive)
    if (!fits(s))
      drop(
        s,
        finalRound,
        s.failed !== undefined ? "failed" : "budget",
        s.failed ?? budgetExcess(standing(s).compute, budget)!,
      );
  let winner = best(alive.filter(fits), budget);
  if (!winner) {
    const fallback = states
      .filter((s) => s.dropped && (s.dropped.reason === "halved" || s.dropped.reason === "worse"))
      .sort((a, b) => compareStandings(standing(a), standing(b), budget));
    for (const s of fallback) {
      await measure(s, dev.length, finalRound);
      if (fits(s)) {
        s.dropped = undefined;
        winner = s;
        break;
      }
      drop(
        s,
        finalRound,
        s.failed !== undefined ? "failed" : "budget",
        s.failed ?? budgetExcess(standing(s).compute, budget)!,
      );
    }
  }
  return { states, winner, rounds };
}

/** Candidates are the same configuration when their model and canonical technique are. */
export function keyOf(candidate: SpaceCandidate): string {
  return JSON.stringify([candidate.plan.model, candidate.plan.canonical]);
}

export function standing(state: CandidateState): Standing {
  const s = state.summary;
  const compute = s ? computeOf(s) : { tokens: 0, cost_usd: 0, calls: 0, samples: 0 };
  return {
    key: state.key,
    accuracy: s?.accuracy ?? 0,
    ci95: s?.ci95 ?? [0, 1],
    compute,
    ...(state.failed !== undefined ? { failed: state.failed } : {}),
  };
}

function best(states: CandidateState[], budget: TuneBudget): CandidateState | undefined {
  return [...states].sort((a, b) => compareStandings(standing(a), standing(b), budget))[0];
}
