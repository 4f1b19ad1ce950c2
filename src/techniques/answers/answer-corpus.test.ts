import assert from "node:assert/strict";
import { test } from "node:test";
import type { AnswerKind } from "./answer-kind.ts";
import { canonicalAnswer } from "./canonical-answer.ts";

/*
 * Realistic final lines, as models write them, for each kind: [text, kind, canonical answer]. Each
 * row was written from how hosted and local models close their answers (GSM8K, MATH, BIG-bench date
 * understanding, multiple choice, CRUXEval), not from the implementation.
 */
const corpus: [string, AnswerKind, string | undefined][] = [
  // Numbers with units and currency.
  ["She makes $18 every day at the farmers' market.", "auto", "18"],
  ["So the answer is $1,250.50.", "auto", "1250.5"],
  ["The answer is 18 dollars.", "auto", "18"],
  ["#### 1,000", "auto", "1000"],
  ["Therefore, the total weight is 2.3 kg.", "auto", "2.3"],
  ["The final answer is €45.", "auto", "45"],
  ["Answer: approximately 3.14", "auto", "3.14"],
  ["So it takes 12 hours.", "number", "12"],
  ["The answer is -7.", "auto", "-7"],
  ["The answer is 2.5 × 10^3.", "auto", "2500"],
  // Fractions and percentages.
  ["The probability is 3/4.", "auto", "0.75"],
  ["The answer is 1 1/2 cups.", "auto", "1.5"],
  ["The final answer is $\\frac{3}{4}$.", "auto", "0.75"],
  ["So the discount is 25%.", "auto", "25"],
  ["Answer: 12.5 percent", "auto", "12.5"],
  // Choices.
  ["The correct answer is (B).", "auto", "B"],
  ["Answer: C", "auto", "C"],
  ["So the answer is (d) 42 apples.", "choice", "D"],
  ["**Answer: A**", "auto", "A"],
  // Dates, in every common written form, inside sentences.
  ["Therefore, today's date is 05/30/2021.", "auto", "2021-05-30"],
  ["The correct date is 6/18/2019.", "auto", "2019-06-18"],
  ["So the answer is 12/25/2020.", "auto", "2020-12-25"],
  ["The date yesterday was Sunday, January 3, 2021.", "auto", "2021-01-03"],
  ["It was 3rd of August 1997.", "auto", "1997-08-03"],
  ["Answer: 2019-06-18", "auto", "2019-06-18"],
  ["Ten days before is 25/12/2020.", "auto", "2020-12-25"],
  ["The answer is Aug. 3, 1997", "auto", "1997-08-03"],
  ["One week later it is 01/07/2022 (MM/DD/YYYY).", "date", "2022-01-07"],
  // A verb is not a month: the count stays a number.
  ["They march 12 miles a day.", "auto", "12"],
  // Yes / no and short strings.
  ["The answer is yes.", "auto", "yes"],
  ["Answer: No", "auto", "no"],
  ["So the capital is Paris.", "text", "so the capital is paris"],
  ["The answer is Paris.", "auto", "paris"],
  // Code literals.
  ["[(3, 1), (2, 3), (1, 1)]", "literal", "[(3, 1), (2, 3), (1, 1)]"],
  ["The output is {'a': 1, 'b': 2}", "literal", '{"a": 1, "b": 2}'],
  ["assert f('abc') == 'cba'", "literal", '"cba"'],
  ["True", "auto", "True"],
  // LaTeX.
  ["Thus the answer is $\\boxed{\\frac{1}{2}}$.", "auto", "0.5"],
  ["\\boxed{42}", "auto", "42"],
  ["The final answer is $\\boxed{\\text{(C)}}$", "auto", "C"],
  // No answer at all.
  ["", "auto", undefined],
];

test("a corpus of realistic final lines reads as its kind's canonical answer", () => {
  const wrong = corpus
    .filter(([text, kind, want]) => canonicalAnswer(text, kind) !== want)
    .map(
      ([text, kind, want]) =>
        `${JSON.stringify(text)} (${String(kind)}): got ${canonicalAnswer(text, kind)}, want ${want}`,
    );
  assert.deepEqual(wrong, []);
});
