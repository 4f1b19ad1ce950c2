import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";
import { runPython } from "./run-python.ts";

// Each run starts a fresh Python (Pyodide) process, which takes a few seconds: the tests run side by side.
describe("the Python sandbox", { concurrency: 2 }, () => {
  test("an endless loop is killed at the time limit, a huge allocation stopped by the memory limit, and the host runs on", async () => {
    const [loop, memory] = await Promise.all([
      runPython("while True:\n    pass", { timeoutMs: 300 }),
      runPython("blocks = []\nwhile True:\n    blocks.append(bytearray(1024 * 1024))", {
        memoryBytes: 16 * 1024 * 1024,
        timeoutMs: 10_000,
      }),
    ]);
    assert.deepEqual(
      { ok: loop.ok, limit: loop.limit, error: loop.error },
      { ok: false, limit: "time", error: "TimeoutError: the program ran longer than 300 ms and was stopped" },
    );
    assert.deepEqual(
      { ok: memory.ok, limit: memory.limit, error: memory.error },
      { ok: false, limit: "memory", error: "MemoryError: the program exceeded the 16 MB memory limit" },
    );
    // Afterwards a normal program: it prints, and its last expression is the result as JSON data.
    const ok = await runPython(
      "import math, fractions\nprint('sum', sum(range(10)))\nf = fractions.Fraction(1, 3) * 3\n{'fact': math.factorial(25), 'one': str(f), 'pair': (1, 2.5), 'none': None}",
    );
    assert.deepEqual(
      { ok: ok.ok, stdout: ok.stdout, result: ok.result },
      {
        ok: true,
        stdout: "sum 45",
        result: { fact: "15511210043330985984000000", one: "1", pair: [1, 2.5], none: null },
      },
    );
  });

  test("a long result comes back whole (the process exits only once it is sent), and one beyond the output limit is cut like printed output", async () => {
    const [whole, cut] = await Promise.all([
      runPython("'ab' * 10**6", { maxOutputChars: 3_000_000 }),
      runPython("'ab' * 10**6", { maxOutputChars: 10 }),
    ]);
    assert.deepEqual(
      { ok: whole.ok, error: whole.error, length: (whole.result as string)?.length, limit: whole.limit },
      { ok: true, error: undefined, length: 2_000_000, limit: undefined },
    );
    assert.deepEqual(
      { ok: cut.ok, result: cut.result, limit: cut.limit },
      { ok: true, result: "ababababab\n[result truncated at 10 characters]", limit: "output" },
    );
  });

  test("errors come back with the program's lines, without Pyodide's frames", async () => {
    const failed = await runPython(
      "def share(total, people):\n    return total / people\n\nprint('before')\nshare(10, 0)",
    );
    assert.equal(failed.ok, false);
    assert.equal(failed.stdout, "before");
    assert.match(
      failed.error!,
      /^ZeroDivisionError: division by zero \(line 2\)\nTraceback \(program frames\):\n {2}File "program\.py", line 5, in <module>/,
    );
    assert.doesNotMatch(failed.error!, /_pyodide|\^\^\^/, "Pyodide's own frames and caret lines are left out");
  });

  test("model code cannot read host files or environment, reach the host's JavaScript, or use the network", async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits++;
      res.end("secret");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    process.env.LMX_TEST_SECRET = "hunter2";
    const hostFile = fileURLToPath(import.meta.url);
    const code = `
import json, os
results = {}
def probe(name, f):
    try:
        results[name] = "ESCAPED " + repr(f())[:80]
    except BaseException as e:
        results[name] = "blocked " + type(e).__name__

def js_function():
    from pyodide.ffi import to_js
    return to_js([1]).constructor.constructor

probe("host file", lambda: open(${JSON.stringify(hostFile)}).read())
probe("host env", lambda: os.environ["LMX_TEST_SECRET"])
probe("import js", lambda: __import__("js").process)
probe("import pyodide_js", lambda: __import__("pyodide_js").FS)
def host_globals():
    seen = js_function()("return [typeof process, typeof require, typeof fetch, typeof XMLHttpRequest, typeof WebSocket].join()")()
    if seen != "undefined,undefined,undefined,undefined,undefined":
        return seen
    raise PermissionError(seen)
probe("host globals", host_globals)
probe("socket", lambda: __import__("socket").create_connection(("127.0.0.1", ${port}), timeout=1))
probe("urllib", lambda: __import__("urllib.request").request.urlopen("http://127.0.0.1:${port}/", timeout=1).read())
print(json.dumps(results))
js_function()("return import('node:fs').then(() => 'ESCAPED import', (e) => 'blocked import: ' + e.message)")()
`;
    try {
      const r = await runPython(code, { timeoutMs: 10_000 });
      assert.equal(r.ok, true, r.error);
      const results = JSON.parse(r.stdout) as Record<string, string>;
      for (const [name, outcome] of Object.entries(results)) assert.match(outcome, /^blocked/, `${name}: ${outcome}`);
      assert.equal(Object.keys(results).length, 7);
      assert.equal(r.result, "blocked import: imports are disabled in the sandbox (node:fs)");
      assert.equal(hits, 0, "no request reached the host's server");
    } finally {
      delete process.env.LMX_TEST_SECRET;
      server.close();
    }
  });
});
