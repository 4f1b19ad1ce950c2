import type { ProgramLanguage } from "../../sandbox/run-program.ts";

/**
 * The program followed by code that runs each test in its own try/catch and ends with the list of
 * which passed (`[true, false, ...]`) as the run's result. Tests are passed as string data and
 * compiled one by one, so a test that does not parse fails only itself. A program that fails at
 * top level fails every test, as its run never reaches them.
 *
 * JavaScript: each test is the body of `new Function("assert", test)` (global scope, so the
 * program's declarations are visible), with a small `assert` of its own (callable, plus `ok`,
 * `equal`, `strictEqual`, `deepEqual`, `deepStrictEqual`, `notEqual`) that a program's own
 * `assert` cannot replace. Python: each test is `exec`uted in the program's globals.
 */
export function testHarness({
  language,
  program,
  tests,
}: {
  language: ProgramLanguage;
  program: string;
  tests: string[];
}): string {
  return language === "python" ? pythonHarness(program, tests) : javascriptHarness(program, tests);
}

/**
 * Module idioms a model often adds to a plain function, which a global script cannot run: a
 * `module.exports = ...` line gets a `module` to write to, and a leading `export` (or
 * `export default`) before a declaration is dropped. Both on the program's own lines, so line
 * numbers stay.
 */
function asScript(program: string): string {
  const unexported = program.replace(
    /^(\s*)export\s+(default\s+)?(?=(async\s+)?(function|class|const|let|var)\b)/gm,
    "$1",
  );
  return `var module = { exports: {} }, exports = module.exports; ${unexported}`;
}

function javascriptHarness(program: string, tests: string[]): string {
  return `${asScript(program)}
;
(function (tests) {
  const fail = (m) => { throw new Error(m || "assertion failed"); };
  const same = (a, b) => {
    if (Object.is(a, b)) return true;
    if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    const ka = Object.keys(a), kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && same(a[k], b[k]));
  };
  const assert = (c, m) => { if (!c) fail(m); };
  assert.ok = assert;
  assert.equal = (a, b, m) => { if (a != b) fail(m); };
  assert.strictEqual = (a, b, m) => { if (!Object.is(a, b)) fail(m); };
  assert.notEqual = (a, b, m) => { if (a == b) fail(m); };
  assert.notStrictEqual = (a, b, m) => { if (Object.is(a, b)) fail(m); };
  assert.deepEqual = assert.deepStrictEqual = (a, b, m) => { if (!same(a, b)) fail(m); };
  const passed = [];
  for (const test of tests) {
    try { new Function("assert", test)(assert); passed.push(true); } catch { passed.push(false); }
  }
  return passed;
})(${JSON.stringify(tests)})
`;
}

function pythonHarness(program: string, tests: string[]): string {
  // JSON string literals are valid Python string literals.
  return `${program}

def __codet_run(__tests):
    __passed = []
    for __test in __tests:
        try:
            exec(__test, globals())
            __passed.append(True)
        except BaseException:
            __passed.append(False)
    return __passed

__codet_run([${tests.map((t) => JSON.stringify(t)).join(", ")}])
`;
}

/** The pass list a harness run gave back, or undefined when its result is not one (the run failed). */
export function passList(result: unknown, tests: number): boolean[] | undefined {
  if (!Array.isArray(result) || result.length !== tests || !result.every((r) => typeof r === "boolean"))
    return undefined;
  return result as boolean[];
}
