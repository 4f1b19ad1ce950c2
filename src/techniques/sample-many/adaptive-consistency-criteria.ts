import { seededRandom } from "../../core/seeded-random.ts";
import { regularizedIncompleteBeta, sampleGamma } from "./adaptive-consistency-math.ts";

export type StoppingCriterion = "beta" | "dirichlet" | "window";

/**
 * Beta criterion (Aggarwal et al. 2023): with v1, v2 the votes of the two leading answers, the leader's
 * share of those two is p ~ Beta(v1 + 1, v2 + 1) under a uniform prior; the confidence is P(p > 0.5),
 * i.e. that the leader is truly ahead of the runner-up. `counts` are vote counts, most first.
 */
export function betaConfidence(counts: number[]): number {
  const v1 = counts[0] ?? 0;
  const v2 = counts[1] ?? 0;
  return 1 - regularizedIncompleteBeta(0.5, v1 + 1, v2 + 1);
}

/**
 * Dirichlet criterion: answer probabilities p ~ Dirichlet(counts + 1) under a uniform prior, plus one
 * category for answers not seen yet (so a unanimous vote is not taken as certain after one sample);
 * the confidence is P(the leader's p exceeds every other's), estimated from `draws` seeded Monte
 * Carlo draws (the seed is the counts, so equal votes always get the same decision).
 */
export function dirichletConfidence(counts: number[], draws = 4000): number {
  if (counts.length === 0) return 0;
  const alphas = [...counts.map((c) => c + 1), 1];
  const random = seededRandom(hash(counts.join(",")));
  let wins = 0;
  for (let i = 0; i < draws; i++) {
    // Normalising the gammas is unnecessary: the argmax is the same.
    const leader = sampleGamma(alphas[0]!, random);
    let others = 0;
    for (let k = 1; k < alphas.length; k++) others = Math.max(others, sampleGamma(alphas[k]!, random));
    if (leader > others) wins++;
  }
  return wins / draws;
}

/**
 * ESC window (Li et al. 2024): the longest run of consecutive samples with one answer (abstentions
 * agree with nothing). ESC checks disjoint windows; any run is checked here, so batches of any size
 * can stop as soon as `window` consecutive samples agree.
 */
export function longestAgreeingRun(answers: (string | undefined)[]): number {
  let longest = 0;
  let run = 0;
  answers.forEach((answer, i) => {
    run = answer !== undefined && i > 0 && answers[i - 1] === answer ? run + 1 : answer === undefined ? 0 : 1;
    longest = Math.max(longest, run);
  });
  return longest;
}

export interface StopCheck {
  criterion: StoppingCriterion;
  threshold: number;
  window: number;
  /** Canonical answers in sample order (undefined: no answer extracted). */
  answers: (string | undefined)[];
  /** Vote counts, most first. */
  counts: number[];
}

/** Whether the leading answer is settled, and the figure the decision was based on. */
export function isSettled(check: StopCheck): { stop: boolean; confidence?: number; streak?: number } {
  if (check.criterion === "window") {
    const streak = longestAgreeingRun(check.answers);
    return { stop: streak >= check.window, streak };
  }
  const confidence = check.criterion === "beta" ? betaConfidence(check.counts) : dirichletConfidence(check.counts);
  return { stop: confidence >= check.threshold, confidence };
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
