import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import { fillTemplate } from "./prompt-template.ts";

test("fills every placeholder, repeated ones too", () => {
  assert.equal(
    fillTemplate("Q: {question}\nA: {answer}. Again: {question}", { question: "2+2?", answer: 4 }),
    "Q: 2+2?\nA: 4. Again: 2+2?",
  );
});

test("values are inserted verbatim, braces in values are not re-expanded", () => {
  assert.equal(fillTemplate("{a}", { a: "{b} $& $1", b: "x" }), "{b} $& $1");
});

test("double braces write literal braces; JSON-like text without a name is left alone", () => {
  assert.equal(fillTemplate('{{"k": {v}}} and { not a placeholder }', { v: 1 }), '{"k": 1} and { not a placeholder }');
});

test("an unknown placeholder is an InvalidRequestError naming it", () => {
  assert.throws(
    () => fillTemplate("Fix {feedbak}", { feedback: "x" }),
    (e) => InvalidRequestError.isInstance(e) && /\{feedbak\}/.test(e.message) && /\{feedback\}/.test(e.message),
  );
});
