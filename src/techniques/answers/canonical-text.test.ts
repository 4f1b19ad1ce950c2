import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalText } from "./canonical-text.ts";

test("case, spaces, quotes, emphasis and surrounding punctuation do not matter", () => {
  for (const s of [
    "Paris",
    "paris",
    "PARIS.",
    "  Paris  ",
    '"Paris"',
    "“Paris”",
    "'Paris'",
    "**Paris**",
    "`Paris`",
    "Paris!",
    "\\text{Paris}",
  ])
    assert.equal(canonicalText(s), "paris", s);
  assert.equal(canonicalText("New   York\nCity"), "new york city");
  assert.equal(canonicalText("Ｐａｒｉｓ"), "paris", "full-width forms");
});

test("inner punctuation is kept and empty spans have no answer", () => {
  assert.equal(canonicalText("U.S.A."), "u.s.a");
  assert.notEqual(canonicalText("Paris, France"), canonicalText("Paris"));
  assert.equal(canonicalText(' "" '), undefined);
});
