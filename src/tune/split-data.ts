import { createHash } from "node:crypto";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";

export interface DataSplit<T> {
  /** Questions the candidates are compared on, in a seeded random order (round r uses a prefix). */
  dev: T[];
  /** Held out until the winner is chosen, to show how much of its lead was luck. */
  test: T[];
  /** Questions demonstrations are bootstrapped from (never in dev or test). */
  train: T[];
}

/**
 * Splits records by a seeded order: each question's place depends only on its id and the seed, so
 * the split (and which questions each round uses) is the same on every rerun, and `--limit` or an
 * appended question moves nobody else.
 */
export function splitData<T extends { id: string }>(options: {
  records: readonly T[];
  seed: number;
  testFraction?: number;
  trainSize?: number;
}): DataSplit<T> {
  const { records, seed, testFraction = 0, trainSize = 0 } = options;
  if (!(testFraction >= 0 && testFraction < 1))
    throw new InvalidRequestError(`test fraction must be at least 0 and below 1, got ${testFraction}`, {
      param: "test_fraction",
    });
  const key = (id: string) => createHash("sha256").update(`${seed}\u0000${id}`).digest("hex");
  const ordered = records
    .map((r) => ({ r, k: key(r.id) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map((x) => x.r);
  const testCount = Math.round(testFraction * ordered.length);
  const test = ordered.slice(0, testCount);
  const train = ordered.slice(testCount, testCount + trainSize);
  const dev = ordered.slice(testCount + train.length);
  if (dev.length === 0)
    throw new InvalidRequestError(
      `no questions left to tune on: ${records.length} questions, ${test.length} held out for testing, ${train.length} for demonstrations`,
      { param: "data" },
    );
  return { dev, test, train };
}
