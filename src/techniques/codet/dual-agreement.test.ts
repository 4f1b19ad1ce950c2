import assert from "node:assert/strict";
import { test } from "node:test";
import { dualAgreement } from "./dual-agreement.ts";

test("groups by passed tests and ranks by programs × tests passed", () => {
  const groups = dualAgreement([
    { sample: 0, passed: [true, false, false] },
    { sample: 1, passed: [true, true, true] },
    { sample: 2, passed: [true, false, false] },
    { sample: 3, passed: [true, true, true] },
    { sample: 4, passed: [true, false, false] },
    { sample: 5, passed: [false, false, false] },
  ]);
  assert.deepEqual(groups, [
    { programs: [1, 3], passed: [0, 1, 2], score: 6 },
    { programs: [0, 2, 4], passed: [0], score: 3 },
    { programs: [5], passed: [], score: 0 },
  ]);
});

test("a tie goes to the bigger group, then to the earlier first program", () => {
  const groups = dualAgreement([
    { sample: 0, passed: [true, true, false, false] },
    { sample: 1, passed: [false, false, true, false] },
    { sample: 2, passed: [false, false, true, false] },
    { sample: 3, passed: [false, true, false, true] },
  ]);
  assert.deepEqual(
    groups.map((g) => g.programs),
    [[1, 2], [0], [3]],
  );
});
