import assert from "node:assert/strict";
import { test } from "node:test";
import type { Choice, TokenLogprob } from "../../core/types.ts";
import { confidenceVote, parseKeep, sampleConfidence } from "./confidence-vote.ts";

/** A sample whose tokens each have top-2 alternatives with probabilities p and 1 - p. */
function sample(text: string, p: number, tokens = 3): Choice {
  const token = (): TokenLogprob => ({
    token: "x",
    logprob: Math.log(p),
    top_logprobs: [
      { token: "x", logprob: Math.log(p) },
      { token: "y", logprob: Math.log(1 - p) },
    ],
  });
  return {
    index: 0,
    message: { role: "assistant", content: text },
    finish_reason: "stop",
    logprobs: { content: Array.from({ length: tokens }, token) },
  };
}

test("confidence is DeepConf's token confidence: peaked distributions score higher", () => {
  // −(log 0.99 + log 0.01) / 2 ≈ 2.31; −(log 0.6 + log 0.4) / 2 ≈ 0.71.
  assert.ok(Math.abs(sampleConfidence(sample("a", 0.99))! - -(Math.log(0.99) + Math.log(0.01)) / 2) < 1e-12);
  assert.ok(sampleConfidence(sample("a", 0.99))! > sampleConfidence(sample("a", 0.6))!);
  // Without alternatives: the geometric mean probability of the sample's own tokens.
  const plain: Choice = {
    index: 0,
    message: { role: "assistant", content: "a" },
    finish_reason: "stop",
    logprobs: {
      content: [
        { token: "a", logprob: Math.log(0.5) },
        { token: "b", logprob: Math.log(0.125) },
      ],
    },
  };
  assert.ok(Math.abs(sampleConfidence(plain)! - 0.25) < 1e-12);
  assert.equal(sampleConfidence({ ...plain, logprobs: null }), undefined);
});

test("weight=confidence lets two sure samples outvote three unsure ones; keep=top drops the unsure", () => {
  const choices = [
    sample("The answer is 7.", 0.55),
    sample("The answer is 7.", 0.6),
    sample("The answer is 18.", 0.999),
    sample("The answer is 7.", 0.55),
    sample("The answer is 18.", 0.999),
  ];
  assert.equal(confidenceVote(choices, "number", { weight: "count", keep: "all" }).winner!.answer, "7");
  const weighted = confidenceVote(choices, "number", { weight: "confidence", keep: "all" });
  assert.equal(weighted.winner!.answer, "18");
  assert.deepEqual(weighted.winner!.indices, [2, 4]);
  const filtered = confidenceVote(choices, "number", { weight: "count", keep: parseKeep("top:0.4") });
  assert.deepEqual(filtered.kept, [2, 4]);
  assert.deepEqual(
    filtered.groups.map((g) => [g.answer, g.count]),
    [["18", 2]],
  );
  assert.equal(filtered.total, 5);
});
