import assert from "node:assert/strict";
import { test } from "node:test";
import type { Choice } from "../../core/types.ts";
import { vote } from "./vote.ts";

function choice(content: string | null, extra: { logprob?: number; finish?: string } = {}): Choice {
  return {
    index: 0,
    message: { role: "assistant", content },
    finish_reason: extra.finish ?? "stop",
    logprobs:
      extra.logprob === undefined
        ? null
        : {
            content: [
              { token: "a", logprob: extra.logprob },
              { token: "b", logprob: extra.logprob },
            ],
          },
  };
}

test("the majority wins over canonical answers, with counts and indices", () => {
  const choices = [
    choice("The answer is 7."),
    choice("Answer: $18"),
    choice("so 18 dollars.\nThe answer is 18.0"),
    choice("\\boxed{18}"),
    choice("no idea"),
  ];
  const v = vote(choices, "number");
  assert.equal(v.winner?.answer, "18");
  assert.deepEqual(
    v.groups.map((g) => [g.answer, g.count, g.indices]),
    [
      ["18", 3, [1, 2, 3]],
      ["7", 1, [0]],
    ],
  );
  assert.equal(v.total, 5);
  assert.equal(v.abstained, 1);
  assert.equal(v.representative, choices[1], "a full response from the winning group");
});

test("ties go to the first occurrence without logprobs", () => {
  const v = vote([choice("Answer: B"), choice("Answer: A"), choice("Answer: A"), choice("Answer: B")], "choice");
  assert.equal(v.winner?.answer, "B");
});

test("ties go to the higher mean logprob when every tied group has logprobs", () => {
  const choices = [
    choice("Answer: B", { logprob: -2 }),
    choice("Answer: A", { logprob: -0.5 }),
    choice("Answer: A", { logprob: -0.1 }),
    choice("Answer: B", { logprob: -1 }),
  ];
  const v = vote(choices, "choice");
  assert.equal(v.winner?.answer, "A");
  assert.ok(Math.abs(v.winner!.meanLogprob! - -0.3) < 1e-9);
  assert.equal(v.representative, choices[2], "the most likely member represents the group");
});

test("the representative is a finished response when the group has one", () => {
  const choices = [choice("The answer is 4 and then I kept", { finish: "length" }), choice("The answer is 4.")];
  assert.equal(vote(choices, "number").representative, choices[1]);
});

test("no answers at all: no winner, everything abstained", () => {
  const v = vote([choice(null), choice("")], "number");
  assert.equal(v.winner, undefined);
  assert.equal(v.representative, undefined);
  assert.equal(v.abstained, 2);
  assert.deepEqual(vote([], "auto").groups, []);
});
