import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalLiteral } from "./canonical-literal.ts";
import { parsePythonLiteral } from "./python-literal.ts";

function equal(a: string, b: string) {
  assert.equal(canonicalLiteral(a), canonicalLiteral(b), `${a} vs ${b}`);
  assert.notEqual(canonicalLiteral(a), undefined, a);
}
function differ(a: string, b: string) {
  assert.notEqual(canonicalLiteral(a), canonicalLiteral(b), `${a} vs ${b}`);
}

test("Python and JSON spellings of one value are equal", () => {
  equal("'a'", '"a"');
  equal("True", "true");
  equal("None", "null");
  equal("[1, 2]", "[1,2]");
  equal("[ 1 ,\n 2 , ]", "[1, 2]");
  equal("{'b': 1, 'a': 2}", '{"a": 2, "b": 1}');
  equal("{3, 1, 2}", "{1, 2, 3}");
  equal("1.0", "1");
  equal("'it\\'s'", '"it\'s"');
  equal("'a' 'b'", "'ab'");
  equal("'\\x41'", "'A'");
  equal("'\\u00e9'", "'é'");
  equal("0x10", "16");
  equal("1_000", "1000");
  equal("```python\n[1]\n```", "[1]");
  equal("(1)", "1");
  equal("{'k': [1, (2,)], 'j': {'x': None}}", "{'j': {'x': None}, 'k': [1, (2,)]}");
});

test("values Python tells apart stay apart", () => {
  differ("(1, 2)", "[1, 2]");
  differ("(1,)", "1");
  differ("'1'", "1");
  differ("b'a'", "'a'");
  differ("True", "1");
  differ("[1, 2]", "[2, 1]");
  differ("set()", "{}");
  differ("'a '", "'a'");
});

test("canonical forms are stable and readable", () => {
  assert.equal(canonicalLiteral("{'b': (1,), 'a': {2, 1}}"), '{"a": {1, 2}, "b": (1,)}');
  assert.equal(canonicalLiteral("()"), "()");
  assert.equal(canonicalLiteral("-1.5e-3"), "-0.0015");
  assert.equal(canonicalLiteral("123456789012345678901234567890"), "123456789012345678901234567890");
});

test("non-literals are undefined, and parse errors are SyntaxErrors", () => {
  for (const s of ["'<' * 10", "'unterminated", "[1, 2", "foo", "1 2", "10**2", "1j", ""])
    assert.equal(canonicalLiteral(s), undefined, s);
  assert.throws(() => parsePythonLiteral("[1,,2]"), SyntaxError);
});
