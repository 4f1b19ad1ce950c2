import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import { scriptedLM } from "../providers/scripted/scripted-lm.ts";
import { selfConsistency } from "./sample-many/index.ts";
import { re2 } from "./rephrase/index.ts";

test("an unknown option is an InvalidRequestError that lists the technique's valid options", () => {
  const lm = scriptedLM(() => "4");
  assert.throws(
    () => selfConsistency(lm, { m: 3 } as never),
    (e) =>
      InvalidRequestError.isInstance(e) &&
      /self-consistency: .*"m".*; valid options: n, per_call, answer, temperature, weight, keep$/.test(e.message),
  );
  assert.throws(
    () => re2(lm, { x: 1 } as never),
    (e) => InvalidRequestError.isInstance(e) && /re2: .*"x".*; valid options: |takes no options/.test(e.message),
  );
});
