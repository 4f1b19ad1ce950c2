import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { sharedReplay } from "../../testing/shared-replay.ts";
import { test } from "node:test";
import { canonicalAnswer } from "./canonical-answer.ts";
import { extractAnswer } from "./extract-answer.ts";

const gsm8k = sharedReplay("gsm8k-openai-solutions.jsonl");

test("explicit answer phrasings", () => {
  const cases: [string, string][] = [
    ["Let me think. 3 + 4 = 7. The answer is 7.", "7"],
    ["So the answer is $18. I hope it is correct.", "$18"],
    ["Answer: 42", "42"],
    ["**Answer:** 42", "42"],
    ["Answer: **42**", "42"],
    ["ANSWER: 42", "42"],
    ["Final answer: 42", "42"],
    ["Final Answer: The final answer is $18$. I hope it is correct.", "$18$"],
    ["The correct answer is (B) because it halves.", "(B) because it halves"],
    ["My answer would be Paris.", "Paris"],
    ["Answer:\n\n  42\n", "42"],
    ["Step 1 ...\nA: 18", "18"],
    ["The answer (in dollars) is 18.", "18"],
    ["Natalia sold 48/2 = <<48/2=24>>24 clips in May.\n#### 72", "72"],
  ];
  for (const [text, want] of cases) assert.equal(extractAnswer(text), want, text);
});

test("\\boxed answers win, with nested braces", () => {
  assert.equal(extractAnswer("so x = 2. Answer: 3\n\\boxed{\\frac{1}{2}}"), "\\frac{1}{2}");
  assert.equal(extractAnswer("first \\boxed{1} then \\boxed{\\frac{2}{3}}"), "\\frac{2}{3}");
  assert.equal(extractAnswer("\\boxed{{a}+{b}}", "text"), "{a}+{b}");
  assert.equal(canonicalAnswer("The final answer is $\\boxed{\\dfrac{3}{4}}$."), "0.75");
});

test("the last explicit answer counts, and typed kinds skip spans without their type", () => {
  assert.equal(extractAnswer("The answer is 5. No wait, the answer is 6."), "6");
  assert.equal(extractAnswer("The answer is 18. This answer is correct.", "number"), "18");
  assert.equal(extractAnswer("The answer is 18. This answer is correct."), "18", "auto prefers a typed span");
  assert.equal(extractAnswer("The answer is (A) 08/04/1997", "date"), "(A) 08/04/1997");
});

test("fallbacks by kind when nothing is explicit", () => {
  const cot = "Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 eggs.\nShe makes 9 * 2 = $<<9*2=18>>18 every day.";
  assert.equal(extractAnswer(cot, "number"), "18");
  assert.equal(extractAnswer(cot), "18", "auto: the last number of a closing sentence");
  assert.equal(extractAnswer(cot, "text"), "She makes 9 * 2 = $<<9*2=18>>18 every day.");
  assert.equal(extractAnswer("Looking at (A) and (B)...\nI'd go with option c", "choice"), "option c");
  assert.equal(extractAnswer("It is two days after 08/01/1997, so 08/03/1997.", "date"), "08/03/1997");
  assert.equal(extractAnswer("The capital of France is Paris"), "The capital of France is Paris");
  assert.equal(extractAnswer("nothing numeric", "number"), undefined);
  assert.equal(extractAnswer("", "text"), undefined);
});

test("literals: whole text, assert lines, fenced blocks", () => {
  assert.equal(extractAnswer("[1, 2, 3]", "literal"), "[1, 2, 3]");
  assert.equal(extractAnswer("assert f('a') == 'ab'", "literal"), "'ab'");
  assert.equal(extractAnswer("The answer is:\n```python\n{'a': 1}\n```", "literal"), "{'a': 1}");
  assert.equal(extractAnswer("[1,\n 2]"), "[1,\n 2]");
  assert.equal(canonicalAnswer("The answer is 'hello. world'.", "literal"), '"hello. world"');
});

test("regex kinds take the last match's first group, or the whole match", () => {
  assert.equal(extractAnswer("RESULT: no\nRESULT: yes", { regex: /RESULT: (\w+)/ }), "yes");
  assert.equal(extractAnswer("codes 123 and 456", { regex: /\d{3}/ }), "456");
  assert.equal(extractAnswer("nothing", { regex: /\d+/ }), undefined);
  assert.equal(canonicalAnswer("RESULT: $1,000", { regex: /RESULT: (.+)/ }), "1000");
});

gsm8k.test("GSM8K: extracted answers agree with the recorded correctness of real model solutions", () => {
  const rows = readFileSync(gsm8k.path, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.equal(rows.length, 1319);
  for (const kind of ["number", "auto"] as const) {
    let agree = 0;
    let total = 0;
    for (const row of rows) {
      const gold = canonicalAnswer(row.ground_truth, kind);
      assert.ok(gold !== undefined, row.ground_truth);
      for (const system of ["175b_finetuning", "175b_verification"]) {
        const { solution, is_correct } = row[system] as { solution: string; is_correct: boolean };
        total++;
        if ((canonicalAnswer(solution, kind) === gold) === is_correct) agree++;
      }
    }
    assert.ok(agree / total > 0.99, `${kind}: agreement ${agree}/${total}`);
  }
});
