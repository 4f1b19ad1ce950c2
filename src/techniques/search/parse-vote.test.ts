import assert from "node:assert/strict";
import { test } from "node:test";
import { parseVote } from "./parse-vote.ts";

test("the last 'best choice is N' wins and is 0-based", () => {
  assert.equal(parseVote({ text: "Choice 1 fails.\nThe best choice is 2", choices: 3 }), 1);
  assert.equal(parseVote({ text: "The best choice is 1... no: the best choice is **3**.", choices: 3 }), 2);
  assert.equal(parseVote({ text: "Best choice is: Choice #2", choices: 2 }), 1);
});

test("lenient fallbacks: a last line naming a choice, or a bare number", () => {
  assert.equal(parseVote({ text: "Analysis...\nI would go with option 2.", choices: 3 }), 1);
  assert.equal(parseVote({ text: "Response 1 is the most consistent.", choices: 2 }), 0);
  assert.equal(parseVote({ text: "Thinking.\n3", choices: 3 }), 2);
});

test("out-of-range or missing choices abstain", () => {
  assert.equal(parseVote({ text: "The best choice is 4", choices: 3 }), undefined);
  assert.equal(parseVote({ text: "The best choice is 0", choices: 3 }), undefined);
  assert.equal(parseVote({ text: "None of them works.", choices: 3 }), undefined);
});
