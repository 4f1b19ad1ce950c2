import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalChoice, lastChoice } from "./canonical-choice.ts";

test("choice spellings all become the upper-case letter", () => {
  for (const s of [
    "(B)",
    "B)",
    "b",
    "B",
    "[b]",
    "B.",
    "b:",
    "Option B",
    "option (b)",
    "Choice B.",
    "(B) Paris",
    "B) Paris",
    "option (b): Paris",
    "**B**",
    "$\\text{(B)}$",
  ])
    assert.equal(canonicalChoice(s, { strict: true }), "B", s);
});

test("strict mode refuses prose; loose mode finds the mention", () => {
  for (const s of ["the answer is (b)", "B because it is cheaper", "I pick option b here"]) {
    assert.equal(canonicalChoice(s, { strict: true }), undefined, s);
    assert.equal(canonicalChoice(s), "B", s);
  }
  assert.equal(canonicalChoice("Paris"), undefined);
  assert.equal(canonicalChoice("A dog barked"), undefined, "an article is not a choice");
  assert.equal(canonicalChoice("I think so"), undefined, "a pronoun is not a choice");
});

test("lastChoice prefers a final line that is a choice, else the last mention", () => {
  assert.equal(lastChoice("(A) 1 (B) 2\nSo (C) it is, not the others"), "(C)");
  assert.equal(lastChoice("Let me check (A).\n(D)"), "(D)");
  assert.equal(lastChoice("no letters here"), undefined);
  assert.equal(
    lastChoice("Paris is the capital.\n**C. Paris**"),
    "**C. Paris**",
    "a final line opening with a letter and its option",
  );
  assert.equal(canonicalChoice(lastChoice("Paris is the capital.\nC. Paris")!), "C");
});
