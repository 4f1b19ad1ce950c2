import assert from "node:assert/strict";
import { test } from "node:test";
import { halvingSchedule } from "./halving-schedule.ts";
import { selectSurvivors, type Standing } from "./select-survivors.ts";

const s = (
  key: string,
  accuracy: number,
  tokens: number,
  ci95: [number, number] = [accuracy - 0.2, accuracy + 0.2],
  failed?: string,
): Standing => ({
  key,
  accuracy,
  ci95,
  compute: { tokens, cost_usd: 0, calls: 1, samples: 1 },
  ...(failed ? { failed } : {}),
});

test("the schedule doubles the questions each round, ends on all of them and never starts below minQuestions", () => {
  assert.deepEqual(halvingSchedule({ candidates: 18, questions: 800 }), [50, 100, 200, 400, 800]);
  assert.deepEqual(
    halvingSchedule({ candidates: 18, questions: 60 }),
    [15, 30, 60],
    "too few questions for five rounds",
  );
  assert.deepEqual(halvingSchedule({ candidates: 7, questions: 48 }), [12, 24, 48]);
  assert.deepEqual(halvingSchedule({ candidates: 2, questions: 800 }), [800]);
  assert.deepEqual(halvingSchedule({ candidates: 30, questions: 8 }), [8]);
  assert.deepEqual(halvingSchedule({ candidates: 30, questions: 800, strategy: "grid" }), [800]);
});

test("failed and over-budget candidates go first, then clearly worse ones, then all but the top half", () => {
  const { survivors, dropped } = selectSurvivors({
    standings: [
      s("a", 0.5, 100),
      s("b", 0.7, 300),
      s("c", 0.6, 100),
      s("d", 0.6, 90),
      s("e", 0.1, 10, [0.02, 0.3]),
      s("f", 0.9, 10, [0, 1], "boom"),
      s("g", 0.55, 120),
    ],
    budget: { tokens_per_question: 200 },
    keep: 2,
  });
  assert.deepEqual(survivors, ["d", "c"], "equal accuracy: the cheaper first");
  assert.deepEqual(
    dropped.map((d) => [d.key, d.reason]),
    [
      ["b", "budget"],
      ["f", "failed"],
      ["g", "halved"],
      ["a", "halved"],
      ["e", "worse"],
    ],
  );
  assert.match(dropped.find((d) => d.key === "b")!.detail, /300 tokens\/question > 200/);
});

test("slack keeps a candidate measured just over the budget on few questions", () => {
  const standings = [s("a", 0.5, 110), s("b", 0.4, 90)];
  assert.deepEqual(
    selectSurvivors({ standings, budget: { tokens_per_question: 100 }, keep: 2, slack: 1.25 }).survivors,
    ["a", "b"],
  );
  assert.deepEqual(selectSurvivors({ standings, budget: { tokens_per_question: 100 }, keep: 2 }).survivors, ["b"]);
});
