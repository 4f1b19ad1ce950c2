import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalNumber, lastNumber } from "./canonical-number.ts";

const same: [string, string][] = [
  ["18", "18"],
  ["18.0", "18"],
  ["18.00", "18"],
  ["018", "18"],
  ["$18", "18"],
  ["$18.50", "18.5"],
  ["€18", "18"],
  ["18 dollars", "18"],
  ["18 dollars per day", "18"],
  ["USD 18", "18"],
  ["5 km", "5"],
  ["5km", "5"],
  ["1,000", "1000"],
  ["$1,000,000", "1000000"],
  ["1,00,000", "100000"],
  ["1{,}000", "1000"],
  ["50%", "50"],
  ["50 percent", "50"],
  ["50\\%", "50"],
  ["3/4", "0.75"],
  ["\\frac{3}{4}", "0.75"],
  ["\\dfrac{3}{4}", "0.75"],
  ["$\\frac{1}{3}$", "0.333333333333"],
  ["0.3333333333333333", "0.333333333333"],
  ["1 1/2", "1.5"],
  ["-3", "-3"],
  ["−3.50", "-3.5"],
  ["-0", "0"],
  ["+7", "7"],
  [".5", "0.5"],
  ["1.5e3", "1500"],
  ["2.5E-3", "0.0025"],
  ["1.5 × 10^3", "1500"],
  ["1.5 \\times 10^{3}", "1500"],
  ["3*10**2", "300"],
  ["x = 5", "5"],
  ["about 12 apples", "12"],
  ["approximately 3.14", "3.14"],
  ["12345678901234567890", "12345678901234567890"],
  ["**42**", "42"],
  ["42.", "42"],
  ["90^\\circ", "90"],
];

test("number spellings meet in one canonical value", () => {
  for (const [input, want] of same) assert.equal(canonicalNumber(input, { strict: true }), want, input);
});

test("strict mode rejects spans that are more than one number", () => {
  for (const s of ["5 apples and 3 oranges", "3 + 4 = 7", "Paris", "8/3/1997", "", "1, 2, 3"])
    assert.equal(canonicalNumber(s, { strict: true }), undefined, s);
});

test("loose mode takes the first number after the last = sign", () => {
  assert.equal(canonicalNumber("3 + 4 = 7"), "7");
  assert.equal(canonicalNumber("x = \\frac{3}{4}"), "0.75");
  assert.equal(canonicalNumber("18 (9 eggs at $2)"), "18");
  assert.equal(canonicalNumber("no digits"), undefined);
});

test("lastNumber skips calculator annotations and keeps signs", () => {
  assert.equal(lastNumber("She makes 9 * 2 = $<<9*2=18>>18 every day."), "18");
  assert.equal(lastNumber("The temperature fell to -5."), "-5");
  assert.equal(lastNumber("From 1,200 to 1,500 people"), "1,500");
  assert.equal(lastNumber("nothing"), undefined);
});
