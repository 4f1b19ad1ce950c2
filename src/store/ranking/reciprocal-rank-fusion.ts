export interface FusedRank {
  id: number;
  /** Sum over the lists of 1 / (k + rank), rank counted from 1. */
  score: number;
  /** The 1-based rank in each input list (undefined where the id is absent). */
  ranks: (number | undefined)[];
}

/**
 * Reciprocal rank fusion (Cormack, Clarke & Büttcher 2009): each ranked list gives an item
 * 1 / (k + rank); items are ordered by the sum. It needs no score calibration between rankers
 * (BM25 scores and cosine distances are on unrelated scales), and k = 60 damps the weight of the
 * very top ranks as in the paper. Ties keep the order of first appearance.
 */
export function reciprocalRankFusion(options: { lists: readonly (readonly number[])[]; k?: number }): FusedRank[] {
  const { lists, k = 60 } = options;
  const fused = new Map<number, FusedRank>();
  lists.forEach((list, which) => {
    list.forEach((id, position) => {
      let entry = fused.get(id);
      if (!entry) fused.set(id, (entry = { id, score: 0, ranks: lists.map(() => undefined) }));
      if (entry.ranks[which] !== undefined) return;
      entry.ranks[which] = position + 1;
      entry.score += 1 / (k + position + 1);
    });
  });
  return [...fused.values()].sort((a, b) => b.score - a.score);
}
