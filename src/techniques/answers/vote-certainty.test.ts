import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { voteCertainty } from "./vote-certainty.ts";

test("a disagreement at the second sample makes a unanimity threshold unreachable", () => {
  assert.deepEqual(voteCertainty({ counts: [1, 1], drawn: 2, total: 10, threshold: 1 }), {
    remaining: 8,
    leaderFixed: false,
    accept: false,
    reject: true,
  });
  assert.equal(voteCertainty({ counts: [2], drawn: 2, total: 10, threshold: 1 }).reject, false);
});

test("accepts once the leader holds the threshold share of all samples and cannot be overtaken", () => {
  assert.equal(voteCertainty({ counts: [7, 1], drawn: 8, total: 10, threshold: 0.7 }).accept, true);
  assert.equal(voteCertainty({ counts: [6, 1], drawn: 7, total: 10, threshold: 0.7 }).accept, false);
  // Threshold reached but a runner-up could still tie: not yet certain which answer wins.
  assert.equal(voteCertainty({ counts: [3, 1], drawn: 4, total: 10, threshold: 0.3 }).accept, false);
  assert.equal(voteCertainty({ counts: [6, 1], drawn: 7, total: 10, threshold: 0.3 }).accept, true);
});

test("whatever the remaining samples are, an early decision is the one the full vote makes", () => {
  // Exhaustive over small votes: every continuation of the drawn samples agrees with an early decision.
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 12 }),
      fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 12 }),
      fc.double({ min: 0.05, max: 1, noNaN: true }),
      (drawn, rest, threshold) => {
        const all = [...drawn, ...rest];
        const counts = (xs: number[]) =>
          [0, 1, 2, 3].map((a) => xs.filter((x) => x === a).length).sort((a, b) => b - a);
        const leaderOf = (xs: number[]) =>
          [0, 1, 2, 3].reduce(
            (best, a) => (xs.filter((x) => x === a).length > xs.filter((x) => x === best).length ? a : best),
            xs[0]!,
          );
        const early = voteCertainty({ counts: counts(drawn), drawn: drawn.length, total: all.length, threshold });
        const fullShare = counts(all)[0]! / all.length;
        if (early.accept) assert.ok(fullShare >= threshold && leaderOf(all) === leaderOf(drawn));
        if (early.reject) assert.ok(fullShare < threshold);
        if (early.leaderFixed) assert.equal(leaderOf(all), leaderOf(drawn));
      },
    ),
    { numRuns: 5000 },
  );
});
