import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { answerOption, parseAnswerKind } from "./answer-kind.ts";

test("named kinds parse to themselves", () => {
  for (const k of ["auto", "number", "choice", "text", "literal", "date"]) assert.equal(parseAnswerKind(k), k);
});

test("regex:<pattern> becomes a case-insensitive RegExp", () => {
  const kind = parseAnswerKind("regex:ANSWER: (\\w+)");
  assert.ok(typeof kind === "object" && kind.regex instanceof RegExp);
  assert.equal(kind.regex.exec("answer: yes")?.[1], "yes");
});

test("unknown kinds and broken regexes are InvalidRequestErrors listing the valid kinds", () => {
  assert.throws(
    () => parseAnswerKind("numbers"),
    (e) => InvalidRequestError.isInstance(e) && /number, choice, text, literal, date/.test(e.message),
  );
  assert.throws(
    () => parseAnswerKind("regex:("),
    (e) => InvalidRequestError.isInstance(e) && /regular expression/.test(e.message),
  );
  assert.throws(() => parseAnswerKind("regex:"), InvalidRequestError);
});

test("answerOption defaults to auto and rejects bad kinds", () => {
  assert.equal(answerOption.parse(undefined), "auto");
  assert.equal(answerOption.parse("regex:(\\d+)"), "regex:(\\d+)");
  assert.equal(answerOption.safeParse("nope").success, false);
  assert.equal(answerOption.safeParse(3).success, false);
});
