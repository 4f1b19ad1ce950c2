import assert from "node:assert/strict";
import { test } from "node:test";
import { betaConfidence, dirichletConfidence, isSettled, longestAgreeingRun } from "./adaptive-consistency-criteria.ts";

test("beta confidence: P(leader ahead of runner-up) under Beta(v1 + 1, v2 + 1)", () => {
  assert.ok(Math.abs(betaConfidence([]) - 0.5) < 1e-12, "no votes: no idea");
  assert.ok(Math.abs(betaConfidence([3]) - 0.9375) < 1e-12);
  assert.ok(Math.abs(betaConfidence([4]) - 0.96875) < 1e-12);
  assert.ok(Math.abs(betaConfidence([2, 2]) - 0.5) < 1e-12, "a tie is a coin flip");
  assert.ok(Math.abs(betaConfidence([6, 1, 1]) - 0.96484375) < 1e-12, "only the top two answers count");
  assert.ok(betaConfidence([10, 4]) > betaConfidence([6, 4]));
});

test("dirichlet confidence agrees with the exact value where there is one", () => {
  // Two categories (one answer, plus 'unseen'): P = P(Beta(k+1, 1) > 1/2) = 1 - 2^-(k+1).
  for (const k of [1, 3, 5]) assert.ok(Math.abs(dirichletConfidence([k]) - (1 - 2 ** -(k + 1))) < 0.02, `k=${k}`);
  assert.ok(dirichletConfidence([3, 3]) < 0.5, "a tie cannot be settled");
  assert.ok(dirichletConfidence([8, 1]) > 0.9);
  assert.equal(dirichletConfidence([5, 2]), dirichletConfidence([5, 2]), "the same votes, the same decision");
  assert.equal(dirichletConfidence([]), 0);
});

test("longest agreeing run ignores abstentions", () => {
  assert.equal(longestAgreeingRun([]), 0);
  assert.equal(longestAgreeingRun(["a", "a", "b", "b", "b", "a"]), 3);
  assert.equal(longestAgreeingRun(["a", undefined, "a"]), 1);
  assert.equal(longestAgreeingRun([undefined, undefined]), 0);
});

test("isSettled applies the chosen criterion and threshold", () => {
  const base = { threshold: 0.95, window: 3, answers: ["x", "x", "x", "x"], counts: [4] };
  assert.deepEqual(isSettled({ ...base, criterion: "window" }), { stop: true, streak: 4 });
  assert.equal(isSettled({ ...base, criterion: "beta" }).stop, true);
  assert.equal(isSettled({ ...base, criterion: "beta", threshold: 0.99 }).stop, false);
  assert.equal(isSettled({ ...base, criterion: "window", window: 5 }).stop, false);
});
