import assert from "node:assert/strict";
import { test } from "node:test";
import { runJavaScript } from "../../sandbox/run-javascript.ts";
import { passList, testHarness } from "./test-harness.ts";

const run = async (program: string, tests: string[]) => {
  const r = await runJavaScript(testHarness({ language: "javascript", program, tests }));
  return passList(r.result, tests.length);
};

test("each assertion passes or fails on its own; one that does not parse fails only itself", async () => {
  const program = "function twice(x) { return 2 * x; }";
  assert.deepEqual(
    await run(program, [
      "assert(twice(2) === 4)",
      "assert(twice(2) === 5)",
      "assert(twice(2) === )",
      "assert.deepStrictEqual([1, 2].map(twice), [2, 4])",
      "assert.deepStrictEqual({ a: twice(1) }, { a: 3 })",
      "assert.equal(twice('2'), 4)",
      "throw new Error('x')",
    ]),
    [true, false, false, true, false, true, false],
  );
});

test("a program's own assert cannot make assertions pass; module idioms still run", async () => {
  assert.deepEqual(await run("function assert() {}\nfunction f() { return 1; }", ["assert(f() === 2)"]), [false]);
  const exported = "export function f() { return 1; }\nmodule.exports = { f };";
  assert.deepEqual(await run(exported, ["assert(f() === 1)"]), [true]);
  assert.deepEqual(await run("export default async function g() {}\nconst h = () => 3;", ["assert(h() === 3)"]), [
    true,
  ]);
});

test("a program that fails at top level gives no pass list", async () => {
  assert.equal(await run("throw new Error('boom');", ["assert(true)"]), undefined);
  assert.equal(await run("function f( {", ["assert(true)"]), undefined);
});
