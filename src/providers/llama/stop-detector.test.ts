import assert from "node:assert/strict";
import { test } from "node:test";
import { StopDetector } from "./stop-detector.ts";

test("finds the earliest text stop and the token-sequence stop at the tail", () => {
  const d = new StopDetector({ texts: ["END", "\n\n"], tokenSequences: [[7, 8]] });
  assert.equal(d.find("abc", [1, 2, 3]), undefined);
  assert.deepEqual(d.find("ab\n\ncdEND", [1]), { trigger: "\n\n", textEnd: 2 });
  assert.deepEqual(d.find("xENDy", [1]), { trigger: "END", textEnd: 1 });
  assert.deepEqual(d.find("anything", [1, 7, 8]), { trigger: [7, 8], tokenEnd: 1 });
  assert.equal(d.find("anything", [7, 8, 1]), undefined);
});

test("holds back a possible stop-string start, a split character, and whitespace when asked", () => {
  const d = new StopDetector({ texts: ["</answer>"] });
  assert.equal(d.holdBack("the answer is 4</ans"), 5);
  assert.equal(d.holdBack("the answer is 4<"), 1);
  assert.equal(d.holdBack("plain"), 0);
  assert.equal(d.holdBack("caf\uFFFD"), 1);
  assert.equal(new StopDetector({}).holdBack("{} \n"), 0);
  assert.equal(new StopDetector({ holdWhitespace: true }).holdBack("{} \n"), 2);
});
