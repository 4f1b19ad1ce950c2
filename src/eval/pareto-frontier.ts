/** A point of an accuracy-versus-compute plot. */
export interface ComputePoint {
  compute: number;
  accuracy: number;
}

/**
 * Which points are on the Pareto frontier: no other point reaches at least the same accuracy for at
 * most the same compute while being strictly better in one of them. Equal points are all kept.
 */
export function paretoFrontier(points: readonly ComputePoint[]): boolean[] {
  return points.map(
    (p) =>
      !points.some(
        (q) => q.compute <= p.compute && q.accuracy >= p.accuracy && (q.compute < p.compute || q.accuracy > p.accuracy),
      ),
  );
}
