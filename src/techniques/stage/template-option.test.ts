import assert from "node:assert/strict";
import { test } from "node:test";
import { templateOption } from "./template-option.ts";

const option = templateOption({ text: "Q: {question}", placeholders: ["question", "answer"], required: ["question"] });

test("defaults to its text and accepts templates using known placeholders", () => {
  assert.equal(option.parse(undefined), "Q: {question}");
  assert.equal(option.parse("{answer} / {question} {{literal}}"), "{answer} / {question} {{literal}}");
});

test("rejects unknown placeholders and missing required ones", () => {
  const unknown = option.safeParse("Q: {questoin}");
  assert.equal(unknown.success, false);
  assert.match(unknown.error!.issues[0]!.message, /\{questoin\}/);
  const missing = option.safeParse("Just answer: {answer}");
  assert.equal(missing.success, false);
  assert.match(missing.error!.issues[0]!.message, /must use \{question\}/);
  assert.equal(option.safeParse("{{question}}").success, false, "an escaped brace is not a use");
});
