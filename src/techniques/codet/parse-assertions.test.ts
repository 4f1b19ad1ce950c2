import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_ASSERTIONS_PER_REPLY, parseAssertions } from "./parse-assertions.ts";

test("JavaScript: assert statements from the code block, multi-line ones joined, other lines left out", () => {
  const text =
    'Tests:\n```js\nconst x = 3; // setup\nassert(f(1) === 2);\nassert.deepStrictEqual(\n  g("a)"),\n  [1],\n)\nconsole.assert(f(2) === 3);\n```';
  assert.deepEqual(parseAssertions({ text, language: "javascript" }), [
    "assert(f(1) === 2)",
    'assert.deepStrictEqual(\ng("a)"),\n[1],\n)',
  ]);
});

test("Python: assert statements, a bracket inside a string does not open a statement", () => {
  const text = '```python\nimport math\nassert f("(") == 1\nassert f(2) == 3  # comment (\n```';
  assert.deepEqual(parseAssertions({ text, language: "python" }), [
    'assert f("(") == 1',
    "assert f(2) == 3  # comment (",
  ]);
});

test("at most MAX_ASSERTIONS_PER_REPLY from one reply; a reply without assertions gives none", () => {
  const many = Array.from({ length: 50 }, (_, i) => `assert f(${i}) == ${i}`).join("\n");
  assert.equal(parseAssertions({ text: many, language: "python" }).length, MAX_ASSERTIONS_PER_REPLY);
  assert.deepEqual(parseAssertions({ text: "I cannot write tests.", language: "javascript" }), []);
});
