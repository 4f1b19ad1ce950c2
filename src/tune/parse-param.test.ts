import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import { parseParam } from "./parse-param.ts";

test("names, technique-qualified names and typed values", () => {
  assert.deepEqual(parseParam("n=1,3,5"), { name: "n", values: [1, 3, 5] });
  assert.deepEqual(parseParam("adaptive-consistency.criterion=beta, window"), {
    technique: "adaptive-consistency",
    name: "criterion",
    values: ["beta", "window"],
  });
  assert.deepEqual(parseParam("extract=true,false"), { name: "extract", values: [true, false] });
  assert.deepEqual(parseParam("reread_prompt=\"Again, {question}\",'Once more: {question}'"), {
    name: "reread_prompt",
    values: ["Again, {question}", "Once more: {question}"],
  });
  assert.deepEqual(parseParam('models=["a:x","b:y"],["c:z"]'), { name: "models", values: [["a:x", "b:y"], ["c:z"]] });
});

test("malformed --param values are InvalidRequestErrors", () => {
  for (const bad of ["n", "=1,2", "n=", "n=,", "1n=2", 'n="unterminated'])
    assert.throws(
      () => parseParam(bad),
      (e) => InvalidRequestError.isInstance(e) && e.param === "param",
      bad,
    );
});
