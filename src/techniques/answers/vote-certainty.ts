/**
 * What a vote of `drawn` samples out of a planned `total` already fixes, whatever the remaining
 * samples say. `counts` are the vote counts, most first (abstentions count for no group).
 */
export interface VoteCertainty {
  /** Samples still to draw. */
  remaining: number;
  /** The leader wins the full vote even if every remaining sample joins the runner-up (strictly ahead, so no tie-break can move it). */
  leaderFixed: boolean;
  /** With a threshold: the leader's share of `total` reaches it already, and the leader is fixed. */
  accept: boolean;
  /** With a threshold: no answer can reach it any more, even if every remaining sample joins the leader. */
  reject: boolean;
}

export function voteCertainty(options: {
  counts: readonly number[];
  drawn: number;
  total: number;
  threshold?: number;
}): VoteCertainty {
  const { counts, drawn, total, threshold } = options;
  const remaining = Math.max(0, total - drawn);
  const leader = counts[0] ?? 0;
  const second = counts[1] ?? 0;
  const leaderFixed = leader > 0 && leader > second + remaining;
  if (threshold === undefined) return { remaining, leaderFixed, accept: false, reject: false };
  // The same comparison the full vote makes (count / total >= threshold), so rounding agrees too.
  const accept = leaderFixed && leader / total >= threshold;
  const reject = (leader + remaining) / total < threshold;
  return { remaining, leaderFixed, accept, reject };
}
