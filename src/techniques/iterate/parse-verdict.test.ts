import assert from "node:assert/strict";
import { test } from "node:test";
import { parseVerdict } from "./parse-verdict.ts";

test("reads the last labelled verdict", () => {
  assert.equal(parseVerdict("The sum is right.\nVerdict: PASS"), true);
  assert.equal(parseVerdict("**Verdict:** FAIL"), false);
  assert.equal(parseVerdict("A first verdict: pass was premature.\nVerdict: fail"), false);
  assert.equal(parseVerdict("Verdict - Incorrect"), false);
  assert.equal(parseVerdict("Verdict: correct"), true);
});

test("falls back to the final line's verdict word", () => {
  assert.equal(parseVerdict("Checked every step.\nThe answer is correct."), true);
  assert.equal(parseVerdict("Step 2 looks fine.\nBut the final total is wrong."), false);
  assert.equal(parseVerdict("It would pass a quick look.\nFAIL"), false);
  assert.equal(parseVerdict("Checked.\nThe answer is not correct."), false);
  assert.equal(parseVerdict("Checked.\nThe total isn't wrong."), true);
});

test("undefined when the judge commits to nothing", () => {
  assert.equal(parseVerdict("Hard to say."), undefined);
  assert.equal(parseVerdict(""), undefined);
});
