import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalAnswer } from "./canonical-answer.ts";
import { classifyAnswer } from "./classify-answer.ts";

test("auto classifies explicit answers by what they are", () => {
  assert.deepEqual(classifyAnswer("(B)"), { kind: "choice", value: "B" });
  assert.deepEqual(classifyAnswer("August 3, 1997"), { kind: "date", value: "1997-08-03" });
  assert.deepEqual(classifyAnswer("$1,000"), { kind: "number", value: "1000" });
  assert.deepEqual(classifyAnswer("[1,2]"), { kind: "literal", value: "[1, 2]" });
  assert.deepEqual(classifyAnswer("true"), { kind: "literal", value: "True" });
  assert.deepEqual(classifyAnswer("18 - 3 = 15"), { kind: "number", value: "15" });
  assert.deepEqual(classifyAnswer("'Paris'"), { kind: "text", value: "paris" });
  assert.deepEqual(classifyAnswer("5 apples and 3 oranges"), { kind: "text", value: "5 apples and 3 oranges" });
  assert.equal(classifyAnswer("  "), undefined);
});

test("auto: differently written equal answers from whole responses compare equal", () => {
  const groups: string[][] = [
    [
      "The answer is 18.",
      "So she earns $18 a day.\nAnswer: $18.00",
      "\\boxed{18}",
      "#### 18",
      "A: 18 dollars",
      "The final answer is 18.0",
    ],
    ["The answer is (b).", "Answer: B", "I choose option B.\nThe answer is B) 42", "**Answer:** (B)"],
    ["The answer is August 3, 1997.", "Answer: 08/03/1997", "Final answer: 3 Aug 1997"],
    ["The answer is Paris.", 'Answer: "paris"', "Final answer: **PARIS**"],
    ["The answer is 3/4", "Answer: 0.75", "\\boxed{\\frac{3}{4}}"],
  ];
  const seen = new Set<string>();
  for (const group of groups) {
    const forms = new Set(group.map((t) => canonicalAnswer(t)));
    assert.equal(forms.size, 1, `${group.join(" | ")} → ${[...forms].join(", ")}`);
    const form = [...forms][0]!;
    assert.ok(form !== undefined && !seen.has(form));
    seen.add(form);
  }
});

test("explicit kinds canonicalise the extracted span", () => {
  assert.equal(canonicalAnswer("Total: 7 + 5 = 12 apples. The answer is 12 apples.", "number"), "12");
  assert.equal(canonicalAnswer("Hmm, the answer is (c).", "choice"), "C");
  assert.equal(canonicalAnswer("We land on 12/25/2020", "date"), "2020-12-25");
  assert.equal(canonicalAnswer("The answer is New York.", "text"), "new york");
  assert.equal(canonicalAnswer("{'b': 1, 'a': 2}", "literal"), '{"a": 2, "b": 1}');
  assert.equal(canonicalAnswer("'<' * 10", "literal"), "'<' * 10", "an unparsable literal is compared as text");
  assert.equal(canonicalAnswer("no number", "number"), undefined);
});

test("auto: an explicit answer written as a sentence, or with its reason after it, compares as that answer", () => {
  const eighteen = [
    "**Final Answer:** Janet makes **$18** every day at the farmers' market.",
    "The final answer is: She earns $18 per day.",
    "The answer is 18 (9 eggs × $2).",
    "So the answer is 18 because she sells 9 eggs at $2 each.",
    "The answer is 18.",
  ];
  assert.deepEqual(
    eighteen.map((t) => canonicalAnswer(t)),
    eighteen.map(() => "18"),
  );
  assert.equal(canonicalAnswer("The answer is C because A and B are wrong."), "C");
  assert.equal(canonicalAnswer("The answer is B, which is 42."), "B");
  // Several numbers and no typed head, or no number at all: the text stands.
  assert.equal(canonicalAnswer("The answer is 3 hours and 20 minutes."), "3 hours and 20 minutes");
  assert.equal(canonicalAnswer("The answer is 1, 2 and 3."), "1, 2 and 3");
  assert.equal(canonicalAnswer("The answer is Paris (France)."), "paris (france)");
});
