import { budgetExcess, rankedCompute, type Compute, type TuneBudget } from "./tune-budget.ts";

/** One candidate's figures after a round. */
export interface Standing {
  key: string;
  accuracy: number;
  ci95: [number, number];
  compute: Compute;
  /** Why its evaluation gave up, if it did. */
  failed?: string;
}

export type DropReason = "failed" | "budget" | "worse" | "halved";

export interface Dropped {
  key: string;
  reason: DropReason;
  detail: string;
}

/** More accurate first; equal accuracy → cheaper first (in the budget's unit). */
export function compareStandings(a: Standing, b: Standing, budget: TuneBudget): number {
  return b.accuracy - a.accuracy || rankedCompute(a.compute, budget) - rankedCompute(b.compute, budget);
}

/**
 * Who goes on to the next round: candidates that failed or spend more than the budget (times
 * `slack`, since few questions measure compute roughly) are dropped, then those clearly worse than
 * the leader (their 95% interval lies wholly below the leader's), then all but the best `keep`.
 */
export function selectSurvivors(options: {
  standings: readonly Standing[];
  budget: TuneBudget;
  keep: number;
  slack?: number;
}): { survivors: string[]; dropped: Dropped[] } {
  const { budget, keep, slack = 1 } = options;
  const dropped: Dropped[] = [];
  const live: Standing[] = [];
  for (const s of options.standings) {
    const excess = s.failed === undefined ? budgetExcess(s.compute, budget, slack) : undefined;
    if (s.failed !== undefined) dropped.push({ key: s.key, reason: "failed", detail: s.failed });
    else if (excess) dropped.push({ key: s.key, reason: "budget", detail: excess });
    else live.push(s);
  }
  live.sort((a, b) => compareStandings(a, b, budget));
  const leader = live[0];
  const survivors: string[] = [];
  for (const s of live) {
    if (leader && s.ci95[1] < leader.ci95[0])
      dropped.push({
        key: s.key,
        reason: "worse",
        detail: `95% CI up to ${pct(s.ci95[1])} < leader's from ${pct(leader.ci95[0])}`,
      });
    else if (survivors.length >= Math.max(1, keep))
      dropped.push({ key: s.key, reason: "halved", detail: `not in the top ${keep}` });
    else survivors.push(s.key);
  }
  return { survivors, dropped };
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
