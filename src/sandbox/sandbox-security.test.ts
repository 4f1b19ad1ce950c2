import assert from "node:assert/strict";
import { test } from "node:test";
import { runJavaScript } from "./run-javascript.ts";

/**
 * Model-written code is untrusted. Each escape attempt below must fail inside the sandbox with an
 * error text a model can read, and the host must go on running normal programs afterwards.
 */

const probe = async (code: string) => {
  const r = await runJavaScript(code, { timeoutMs: 1000 });
  return r.ok ? r.result : r.error;
};

test("no file system: require, import() and QuickJS's std/os modules are not there", async () => {
  assert.equal(
    await probe("require('fs').readFileSync('/etc/passwd', 'utf8')"),
    "ReferenceError: 'require' is not defined (line 1)",
  );
  assert.match(
    String(await probe("import('fs').then((fs) => fs.readFileSync('/etc/passwd'))")),
    /could not load module 'fs'/,
  );
  assert.match(
    String(await probe("import('std').then((std) => std.loadFile('/etc/passwd'))")),
    /could not load module 'std'/,
  );
  assert.match(String(await probe("import * as os from 'os';\nos.readdir('/')")), /SyntaxError|could not load module/);
  assert.deepEqual(
    await probe("[typeof std, typeof os, typeof scriptArgs, typeof module, typeof exports, typeof __dirname]"),
    Array(6).fill("undefined"),
  );
});

test("no environment and no process: process.env cannot be read", async () => {
  assert.equal(await probe("process.env.HOME"), "ReferenceError: 'process' is not defined (line 1)");
  assert.equal(await probe("typeof globalThis.process + typeof Deno + typeof Bun"), "undefinedundefinedundefined");
});

test("no network: fetch, XMLHttpRequest and WebSocket do not exist", async () => {
  assert.equal(await probe("fetch('http://127.0.0.1:1/')"), "ReferenceError: 'fetch' is not defined (line 1)");
  assert.equal(await probe("new XMLHttpRequest()"), "ReferenceError: 'XMLHttpRequest' is not defined (line 1)");
  assert.equal(
    await probe("new WebSocket('ws://127.0.0.1:1/')"),
    "ReferenceError: 'WebSocket' is not defined (line 1)",
  );
});

test("constructor tricks reach only the sandbox's own Function, never the host's process or globals", async () => {
  assert.equal(await probe("globalThis.constructor.constructor('return typeof process')()"), "undefined");
  assert.equal(await probe("this.constructor.constructor('return this')() === globalThis"), true);
  assert.equal(await probe("console.log.constructor('return typeof require + typeof global')()"), "undefinedundefined");
  assert.equal(
    await probe(
      "(function () { return this })().constructor.constructor('return Object.keys(this).includes(\"Buffer\")')()",
    ),
    false,
  );
  // The console is the only host-provided object; its write channel is not reachable by name.
  const globals = (await probe(
    "Object.getOwnPropertyNames(globalThis).filter((k) => !/^[A-Z]/.test(k) && !['globalThis', 'undefined', 'NaN', 'Infinity'].includes(k)).sort()",
  )) as string[];
  assert.deepEqual(
    globals.filter(
      (k) =>
        !/^(parseInt|parseFloat|isNaN|isFinite|eval|escape|unescape|decodeURI|decodeURIComponent|encodeURI|encodeURIComponent)$/.test(
          k,
        ),
    ),
    ["console", "print"],
  );
});

test("prototype pollution stays inside the sandbox: the host's Object.prototype is untouched", async () => {
  const r = await runJavaScript(
    "Object.prototype.polluted = 'yes'; Object.prototype.toString = () => 'hacked'; Array.prototype.map = null; ({}).polluted",
  );
  assert.equal(r.result, "yes");
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, "polluted"), false);
  assert.equal(String({}), "[object Object]");
  assert.deepEqual(
    [1, 2].map((x) => x * 2),
    [2, 4],
  );
});

test("an endless loop is stopped by the time limit", async () => {
  const r = await runJavaScript("let i = 0;\nwhile (true) { i++ }", { timeoutMs: 100 });
  assert.deepEqual({ ok: r.ok, limit: r.limit }, { ok: false, limit: "time" });
  assert.equal(r.error, "TimeoutError: the program ran longer than 100 ms and was stopped");
  const regex = await runJavaScript("/(a+)+$/.test('a'.repeat(40) + 'b')", { timeoutMs: 100 });
  assert.equal(regex.limit, "time", "catastrophic regex backtracking is interrupted too");
});

test("a flood of promise jobs or an endless async loop is stopped by the time limit, not reported as success", async () => {
  for (const code of [
    "function again() { Promise.resolve().then(again) }\nagain(); 'finished'",
    "(async () => { while (true) await 0 })(); 'finished'",
    "let n = 0; queue(); function queue() { for (let i = 0; i < 100; i++) Promise.resolve().then(() => n++); Promise.resolve().then(queue) } 'finished'",
  ]) {
    const r = await runJavaScript(code, { timeoutMs: 150 });
    assert.deepEqual(
      { ok: r.ok, limit: r.limit, error: r.error, result: r.result },
      {
        ok: false,
        limit: "time",
        error: "TimeoutError: the program ran longer than 150 ms and was stopped",
        result: undefined,
      },
      code,
    );
  }
  assert.deepEqual(
    await probe(
      "let n = 0; for (let i = 0; i < 1000; i++) Promise.resolve().then(() => n++); await Promise.resolve(); return n",
    ),
    1000,
    "a finite number of jobs still runs to the end",
  );
});

test("a huge result is cut at the output limit like printed output, never passed on whole", async () => {
  const big = await runJavaScript("'x'.repeat(5e6)");
  assert.equal(big.ok, true);
  assert.equal(big.limit, "output");
  assert.equal(big.result, `${"x".repeat(65_536)}\n[result truncated at 65536 characters]`);
  const data = await runJavaScript("Array.from({ length: 1000 }, (_, i) => i)", { maxOutputChars: 20 });
  assert.deepEqual(
    { result: data.result, limit: data.limit },
    { result: "[0,1,2,3,4,5,6,7,8,9\n[result truncated at 20 characters]", limit: "output" },
  );
  const fits = await runJavaScript("[1, 2, 3]", { maxOutputChars: 7 });
  assert.deepEqual(
    { result: fits.result, limit: fits.limit },
    { result: [1, 2, 3], limit: undefined },
    "a result within the limit stays JSON data",
  );
});

test("huge allocations are stopped by the memory limit", async () => {
  for (const code of [
    "new Array(1e9).fill(0)",
    "'x'.repeat(2 ** 28)",
    "const a = []; while (true) a.push({ a, s: 'padding'.repeat(10) });",
    "const m = new Map(); for (let i = 0; ; i++) m.set(i, [i]);",
  ]) {
    const r = await runJavaScript(code, { memoryBytes: 8 * 1024 * 1024, timeoutMs: 5000 });
    assert.equal(r.ok, false, code);
    assert.equal(r.limit, "memory", `${code}: ${r.error}`);
    assert.match(r.error!, /^MemoryError: the program exceeded the 8 MB memory limit/);
  }
  const giant = await runJavaScript("'x'.repeat(2 ** 30)");
  assert.match(
    giant.error!,
    /^RangeError: invalid string length/,
    "a string beyond QuickJS's maximum length is a clean error",
  );
});

test("deep recursion is stopped by the stack limit, in script and in native code", async () => {
  for (const code of [
    "function f(n) { return f(n + 1) + 1 }\nf(0)",
    "JSON.parse('['.repeat(100000))",
    "let o = {}; for (let i = 0; i < 100000; i++) o = { o };\nJSON.stringify(o).length",
    "let a = []; a.push(a); String(a)",
  ]) {
    const r = await runJavaScript(code);
    assert.equal(r.limit, "stack", `${code}: ${r.error}`);
    assert.match(r.error!, /^RangeError: maximum call stack size exceeded/);
  }
  assert.deepEqual(
    await probe("function depth(n) { return n === 0 ? 0 : 1 + depth(n - 1) }\ndepth(1000)"),
    1000,
    "ordinary recursion still works",
  );
});

test("after all of that the host still runs programs normally", async () => {
  const r = await runJavaScript(
    "let sum = 0; for (let n = 2; n < 100; n++) { let p = true; for (let d = 2; d * d <= n; d++) if (n % d === 0) p = false; if (p) sum += n } console.log(sum); sum",
  );
  assert.deepEqual({ ok: r.ok, result: r.result, stdout: r.stdout }, { ok: true, result: 1060, stdout: "1060" });
});
