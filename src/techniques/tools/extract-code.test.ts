import assert from "node:assert/strict";
import { test } from "node:test";
import { extractCode } from "./extract-code.ts";

test("takes the block tagged with the language over untagged and other blocks", () => {
  const text = "Plan:\n```\nnot this\n```\n```python\nprint(1)\n```\n```js\nconsole.log(2)\n```\nOutput:\n```\n2\n```";
  assert.equal(extractCode({ text, language: "javascript" }), "console.log(2)");
  assert.equal(extractCode({ text, language: "python" }), "print(1)");
});

test("the last matching block wins, aliases count, and untagged blocks are the fallback", () => {
  assert.equal(
    extractCode({ text: "```javascript\nlet a = 1\n```\nbetter:\n```node\nlet a = 2\n```", language: "javascript" }),
    "let a = 2",
  );
  assert.equal(extractCode({ text: "```\nx = 3\nprint(x)\n```", language: "python" }), "x = 3\nprint(x)");
  assert.equal(extractCode({ text: "~~~py\nprint('tilde')\n~~~", language: "python" }), "print('tilde')");
});

test("a cut-off reply's open fence counts to the end; a fence inside a longer fence does not close it", () => {
  assert.equal(
    extractCode({ text: "```python\nfor i in range(3):\n    print(i)", language: "python" }),
    "for i in range(3):\n    print(i)",
  );
  assert.equal(
    extractCode({ text: "````js\nconst s = `\n```\n`;\n````", language: "javascript" }),
    "const s = `\n```\n`;",
  );
});

test("indented fences are dedented so Python stays valid", () => {
  const text = "1. Code:\n   ```python\n   def f():\n       return 1\n   print(f())\n   ```";
  assert.equal(extractCode({ text, language: "python" }), "def f():\n    return 1\nprint(f())");
});

test("a reply with no fence is bare code; an empty one is undefined", () => {
  assert.equal(extractCode({ text: "  console.log(6 * 7)\n", language: "javascript" }), "console.log(6 * 7)");
  assert.equal(extractCode({ text: "   ", language: "javascript" }), undefined);
  assert.equal(extractCode({ text: "```js\n\n```", language: "javascript" }), undefined);
});
