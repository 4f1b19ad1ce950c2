import assert from "node:assert/strict";
import { test } from "node:test";
import { parseCritique } from "./parse-critique.ts";

const stopPhrase = "NO ISSUES";

test("reads the last score in its common spellings, normalised to 0-10", () => {
  assert.deepEqual(parseCritique({ text: "1. The sum is wrong.\nScore: 4/10", stopPhrase }), { score: 4, done: false });
  assert.equal(parseCritique({ text: "**Score:** 7 / 10", stopPhrase }).score, 7);
  assert.equal(parseCritique({ text: "score = 3 out of 5", stopPhrase }).score, 6);
  assert.equal(parseCritique({ text: "Rating: 85/100", stopPhrase }).score, 8.5);
  assert.equal(parseCritique({ text: "Score: 90", stopPhrase }).score, 9);
  assert.equal(parseCritique({ text: "Earlier draft had Score: 2/10.\nNow: Score: 6.5/10", stopPhrase }).score, 6.5);
  assert.equal(parseCritique({ text: "Overall I'd give it 8/10.", stopPhrase }).score, 8);
});

test("no score and no stop phrase leaves the score undefined", () => {
  assert.deepEqual(parseCritique({ text: "The answer forgets step 3.", stopPhrase }), { done: false });
});

test("the stop phrase at the start of a line ends the loop; a bare one scores 10", () => {
  assert.deepEqual(parseCritique({ text: "NO ISSUES", stopPhrase }), { score: 10, done: true });
  assert.deepEqual(parseCritique({ text: "**No issues.** The answer is right.\nScore: 9/10", stopPhrase }), {
    score: 9,
    done: true,
  });
  assert.equal(parseCritique({ text: "- no issues found", stopPhrase }).done, true);
});

test("a passing mention of the stop phrase mid-sentence does not end the loop", () => {
  const c = parseCritique({
    text: "There are no issues with the units, but the total is wrong.\nScore: 5/10",
    stopPhrase,
  });
  assert.deepEqual(c, { score: 5, done: false });
  const hedged = parseCritique({
    text: "No issues with the units, but the total is wrong: 9 * 2 is 18.\nScore: 5/10",
    stopPhrase,
  });
  assert.deepEqual(hedged, { score: 5, done: false }, "a line that opens with the stop phrase and takes it back");
  assert.equal(parseCritique({ text: "No issues. However, the rounding should be shown.", stopPhrase }).done, false);
});

test("a custom stop phrase is honoured", () => {
  assert.equal(parseCritique({ text: "Looks good.\nSTOP", stopPhrase: "STOP" }).done, true);
  assert.equal(parseCritique({ text: "Looks good.\nSTOP", stopPhrase }).done, false);
});
