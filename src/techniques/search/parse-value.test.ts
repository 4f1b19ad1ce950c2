import assert from "node:assert/strict";
import { test } from "node:test";
import { parseValue } from "./parse-value.ts";

test("the paper's judgements map to 20 / 1 / 0.001, read from the last line that has one", () => {
  assert.equal(parseValue("4 + 6 = 10, 10 * (1 + 1) = 20, too small.\nimpossible"), 0.001);
  assert.equal(parseValue("Looks right so far.\n**Likely**"), 1);
  assert.equal(parseValue("It reaches 24 exactly.\nJudgement: sure\n"), 20);
  assert.equal(
    parseValue("At first I thought impossible, but it works.\nsure"),
    20,
    "the last line wins over earlier words",
  );
  assert.equal(
    parseValue("sure\nOn reflection, the second step is wrong, so: impossible"),
    0.001,
    "the last word of a line wins",
  );
  assert.equal(parseValue("This is unlikely to work."), 0.001);
});

test("'not sure' is no judgement; numeric scores are read when no judgement is given", () => {
  assert.equal(parseValue("I am not sure about step 2.\nlikely"), 1);
  assert.equal(parseValue("likely\nI am not sure."), 1, "a hedge on the last line does not count as sure");
  assert.equal(parseValue("Mostly right.\nScore: 7/10"), 7);
  assert.equal(parseValue("8"), 8);
  assert.equal(parseValue("No verdict here."), undefined);
  assert.equal(parseValue("Score: 85"), undefined, "a score on another scale is not read as 0-10");
});
