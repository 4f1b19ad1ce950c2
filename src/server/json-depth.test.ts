import assert from "node:assert/strict";
import { test } from "node:test";
import { jsonTooDeep } from "./json-depth.ts";

test("nesting is counted over arrays and objects, not over brackets inside strings", () => {
  assert.equal(jsonTooDeep('{"a":[1,{"b":2}]}', 3), false);
  assert.equal(jsonTooDeep('{"a":[1,{"b":2}]}', 2), true);
  assert.equal(jsonTooDeep(JSON.stringify({ s: "[[[[[[[[[[{{{{{{{{" }), 1), false);
  assert.equal(
    jsonTooDeep(JSON.stringify({ s: 'quote \\" then [[[[' }), 1),
    false,
    "an escaped quote does not end the string",
  );
  const deep = "[".repeat(5000) + "]".repeat(5000);
  assert.equal(jsonTooDeep(deep, 64), true);
  assert.equal(jsonTooDeep("[".repeat(64) + "]".repeat(64), 64), false);
});
