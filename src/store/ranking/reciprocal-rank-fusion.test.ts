import assert from "node:assert/strict";
import { test } from "node:test";
import { reciprocalRankFusion } from "./reciprocal-rank-fusion.ts";

test("items both rankers like beat items only one ranks first", () => {
  const fused = reciprocalRankFusion({
    lists: [
      [1, 2, 3],
      [4, 2, 1],
    ],
  });
  // 1: 1/61 + 1/63 > 2: 2/62 > 4: 1/61 > 3: 1/63
  assert.deepEqual(
    fused.map((f) => f.id),
    [1, 2, 4, 3],
  );
  assert.deepEqual(fused[0]!.ranks, [1, 3]);
  assert.deepEqual(fused.find((f) => f.id === 3)!.ranks, [3, undefined]);
  assert.ok(Math.abs(fused[1]!.score - 2 / 62) < 1e-12);
});

test("k changes how much the very top counts; duplicates within a list count once", () => {
  const lists = [
    [1, 2, 3, 4, 5, 6],
    [6, 5, 4, 3, 2, 1],
    [2, 2, 2],
  ];
  assert.equal(reciprocalRankFusion({ lists, k: 0 })[0]!.id, 2);
  assert.equal(reciprocalRankFusion({ lists: [[7]] })[0]!.score, 1 / 61);
  assert.deepEqual(reciprocalRankFusion({ lists: [] }), []);
});
