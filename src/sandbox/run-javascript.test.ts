import assert from "node:assert/strict";
import { test } from "node:test";
import { runJavaScript } from "./run-javascript.ts";

test("the last expression's value is the result, as JSON data", async () => {
  assert.deepEqual(await pick("let s = 0; for (let i = 1; i <= 10; i++) s += i; s"), { ok: true, result: 55 });
  assert.deepEqual(await pick("({ primes: [2, 3, 5], name: 'p', nested: { ok: true, none: null } })"), {
    ok: true,
    result: { primes: [2, 3, 5], name: "p", nested: { ok: true, none: null } },
  });
  assert.deepEqual(await pick("const x = 1;"), { ok: true, result: undefined });
  assert.deepEqual(
    await pick("2n ** 100n"),
    { ok: true, result: "1267650600228229401496703205376" },
    "big integers keep their digits as text",
  );
  assert.deepEqual(await pick("0 / 0"), { ok: true, result: "NaN" });
  assert.deepEqual(await pick("(a, b) => a + b"), { ok: true, result: "(a, b) => a + b" });
  assert.deepEqual(
    await pick("const o = {}; o.self = o; o"),
    { ok: true, result: "[object Object]" },
    "a cycle is described, not an error",
  );
});

test("a top-level return or await runs the program as a function body", async () => {
  assert.deepEqual(await pick("const xs = [3, 1, 2];\nreturn xs.sort();"), { ok: true, result: [1, 2, 3] });
  assert.deepEqual(await pick("const v = await Promise.resolve(20);\nreturn v + 1;"), { ok: true, result: 21 });
  assert.deepEqual(await pick("Promise.reject(new TypeError('nope'))"), {
    ok: false,
    error: "TypeError: nope (line 1)",
  });
  assert.match((await runJavaScript("new Promise(() => {})")).error!, /never settled/);
});

test("console.log and print write lines to stdout; values are shown as JSON", async () => {
  const r = await runJavaScript(
    "console.log('a', 1, [2, 3], { b: true });\nprint('second');\nconsole.error(new Error('shown'));\nconsole.log(undefined, null)",
  );
  assert.equal(r.ok, true);
  assert.equal(r.stdout, 'a 1 [2,3] {"b":true}\nsecond\nError: shown\nundefined null');
});

test("errors are readable text with the program's line number, and output before them is kept", async () => {
  const r = await runJavaScript("console.log('start');\nconst a = 1;\nnotDefined(a);");
  assert.deepEqual(
    { ok: r.ok, error: r.error, stdout: r.stdout },
    { ok: false, error: "ReferenceError: 'notDefined' is not defined (line 3)", stdout: "start" },
  );
  assert.equal(
    (await runJavaScript("function f() {\n  throw new RangeError('too far');\n}\nf();")).error,
    "RangeError: too far (line 2)",
  );
  assert.match((await runJavaScript("let x = ;\n")).error!, /^SyntaxError: .* \(line 1\)$/);
  assert.equal((await runJavaScript("\n\nthrow 'plain string'")).error, 'Uncaught "plain string"');
  assert.equal((await runJavaScript("throw null")).error, "Uncaught null");
  assert.equal((await runJavaScript("null.x")).error, "TypeError: cannot read property 'x' of null (line 1)");
});

test("output beyond the limit is cut and marked", async () => {
  const r = await runJavaScript("for (let i = 0; i < 1000; i++) console.log('line ' + i); 'done'", {
    maxOutputChars: 100,
  });
  assert.equal(r.ok, true);
  assert.equal(r.result, "done");
  assert.equal(r.limit, "output");
  assert.ok(r.stdout.length < 160);
  assert.match(r.stdout, /\[output truncated at 100 characters\]$/);
});

test("every run starts fresh: nothing leaks from one program to the next", async () => {
  await runJavaScript("globalThis.leak = 42; Object.prototype.sneaky = 1; Array.prototype.push = null;");
  assert.deepEqual(await pick("[typeof leak, ({}).sneaky, typeof [].push]"), {
    ok: true,
    result: ["undefined", null, "function"],
  });
});

async function pick(code: string) {
  const r = await runJavaScript(code);
  return r.ok ? { ok: true, result: r.result } : { ok: false, error: r.error };
}
