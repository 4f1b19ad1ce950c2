import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalDate, lastDate } from "./canonical-date.ts";

test("common spellings of one date meet in ISO form", () => {
  const spellings = [
    "8/3/1997",
    "08/03/1997",
    "8-3-1997",
    "08/03/97",
    "August 3, 1997",
    "Aug 3 1997",
    "Aug. 3, 1997",
    "August 3rd, 1997",
    "3 Aug 1997",
    "3 August, 1997",
    "3rd of August 1997",
    "Sunday, August 3, 1997",
    "1997-08-03",
    "1997/8/3",
    "**August 3, 1997**",
    "08/03/1997.",
  ];
  for (const s of spellings) assert.equal(canonicalDate(s, { strict: true }), "1997-08-03", s);
});

test("slashes are month first unless the first number cannot be a month", () => {
  assert.equal(canonicalDate("12/25/2020"), "2020-12-25");
  assert.equal(canonicalDate("25/12/2020"), "2020-12-25");
  assert.equal(canonicalDate("01/02/2020"), "2020-01-02");
});

test("two-digit years pivot at 69 and invalid days are not dates", () => {
  assert.equal(canonicalDate("1/1/68"), "2068-01-01");
  assert.equal(canonicalDate("1/1/69"), "1969-01-01");
  assert.equal(canonicalDate("02/30/2020"), undefined);
  assert.equal(canonicalDate("02/29/2021"), undefined);
  assert.equal(canonicalDate("02/29/2020"), "2020-02-29");
});

test("partial dates keep what they say", () => {
  assert.equal(canonicalDate("August 1997"), "1997-08");
  assert.equal(canonicalDate("August 3"), "--08-03");
  assert.equal(canonicalDate("the 3rd of August"), "--08-03");
});

test("strict mode needs the whole span to be a date; lastDate finds the last one", () => {
  assert.equal(canonicalDate("(A) 08/03/1997", { strict: true }), undefined);
  assert.equal(canonicalDate("(A) 08/03/1997"), "1997-08-03");
  assert.equal(canonicalDate("May", { strict: true }), undefined);
  assert.equal(lastDate("From 01/02/2020 we moved to March 5, 2021. Done"), "March 5, 2021");
});
