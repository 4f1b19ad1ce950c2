/**
 * Question counts per round of successive halving (Jamieson & Talwalkar 2016, "Non-stochastic Best
 * Arm Identification and Hyperparameter Optimization"): each round keeps about half the candidates
 * and doubles the questions, ending on all `questions`. There are ceil(log2(candidates)) rounds so
 * that about two candidates reach the last one, fewer when the first round would get fewer than
 * `minQuestions` (too few to rank anything). `grid` is one round: everything on every question.
 */
export function halvingSchedule(options: {
  candidates: number;
  questions: number;
  minQuestions?: number;
  strategy?: "successive-halving" | "grid";
}): number[] {
  const { candidates, questions, minQuestions = 10, strategy = "successive-halving" } = options;
  if (strategy === "grid" || candidates <= 1 || questions <= minQuestions) return [questions];
  const halvings = Math.ceil(Math.log2(candidates));
  const affordable = 1 + Math.floor(Math.log2(questions / minQuestions));
  const rounds = Math.max(1, Math.min(halvings, affordable));
  return Array.from({ length: rounds }, (_, r) => Math.ceil(questions / 2 ** (rounds - 1 - r)));
}
