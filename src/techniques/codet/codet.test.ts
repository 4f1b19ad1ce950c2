import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { AbortedError } from "../../core/errors/aborted-error.ts";
import { UpstreamError } from "../../core/errors/upstream-error.ts";
import { contentText, resultText } from "../../core/messages.ts";
import type { ChatRequest } from "../../core/types.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import type { Span } from "../../trace/span.ts";
import { codet } from "./codet.ts";

const ask: ChatRequest = {
  messages: [{ role: "user", content: "Write a JavaScript function isPrime(n) that tells whether n is prime." }],
};

const fence = (code: string, tag = "javascript") => `Here you go:\n\`\`\`${tag}\n${code}\n\`\`\`\nDone.`;
const correctA =
  "function isPrime(n) {\n  if (n < 2) return false;\n  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;\n  return true;\n}";
// Correct too, but loops forever on 91: only the test that calls it so must fail.
const correctB =
  "const isPrime = (n) => {\n  while (n === 91) {}\n  if (n < 2) return false;\n  for (let d = 2; d < n; d++) if (n % d === 0) return false;\n  return true;\n};";
// Correct, written differently: the same tests pass, so it joins correctA's group.
const correctC =
  "function isPrime(n) {\n  if (n <= 1) return false;\n  for (let d = 2; d <= Math.sqrt(n); d++) if (n % d === 0) return false;\n  return true;\n}";
const wrong = "function isPrime(n) {\n  return n % 2 === 1;\n}";
const looping = "function isPrime(n) {\n  while (true) {}\n}";
const crashing = "function isPrime(n) {\n  throw new Error('boom');\n}";
const broken = "function isPrime(n) {\n  return n >>> ;\n}";

/** Sample i of the programs: the wrong one three times (the most common program), three correct (two agree on every test), a loop, a crash, a syntax error. */
const programs = [wrong, correctA, wrong, looping, correctB, crashing, wrong, broken, correctC];
const testReplies = [
  "```javascript\nassert(isPrime(2) === true);\nassert(isPrime(9) === false);\nassert(isPrime(7) === true);\n```",
  // A wrong test (1 is not prime), a duplicate, a multi-line one, one that loops in correctB, one that does not parse.
  "```js\n// checks\nassert(isPrime(1) === true);\nassert(isPrime(7) === true);\nassert.deepStrictEqual(\n  [4, 15].map(isPrime),\n  [false, false],\n);\nassert(isPrime(91) === false);\nassert(isPrime(7) === );\n```",
];

function script(request: ChatRequest, info: { sampleIndex: number }): string {
  const prompt = contentText(request.messages.at(-1)!.content);
  if (prompt.startsWith("Write test cases")) return testReplies[info.sampleIndex % testReplies.length]!;
  return fence(programs[info.sampleIndex % programs.length]!);
}

function techniqueSpan(ctx: ReturnType<typeof createRunContext>): Span {
  return ctx.span.children.find((s) => s.kind === "technique")!;
}

test("the correct minority that passes the generated tests wins over the wrong majority; loops and crashes do not break the run", async () => {
  const lm = scriptedLM(script);
  const ctx = createRunContext();
  const started = Date.now();
  const result = await codet(lm, { n: 9, tests: 2, timeout_ms: 1000 }).complete(ask, ctx);
  // The answer is the first correct program's reply, exactly as the model wrote it.
  assert.equal(resultText(result), fence(correctA));
  assert.equal(result.choices[0]!.finish_reason, "stop");
  assert.equal(result.usage.calls, 2, "one call for the programs, one for the tests");
  // Generous: one 1 s batch limit plus 100 ms per test alone, on a loaded machine.
  assert.ok(Date.now() - started < 15_000);

  const span = techniqueSpan(ctx);
  const event = (name: string) => span.events.find((e) => e.name === name)!.data as Record<string, unknown>;
  const tests = event("tests").tests as string[];
  assert.equal(tests.length, 7, "distinct assertions: the duplicate is dropped");
  assert.equal(event("programs").distinct, 7);
  const groups = event("groups").groups as { programs: number[]; passed: number[]; score: number }[];
  const byProgram = (i: number) => groups.find((g) => g.programs.includes(i))!;
  const correctTests = tests.flatMap((t, j) => (/isPrime\(1\)|=== \)/.test(t) ? [] : [j]));
  assert.deepEqual(byProgram(1).passed, correctTests, "correctA passes every right test");
  assert.deepEqual(
    byProgram(4).passed,
    correctTests.filter((j) => !tests[j]!.includes("91")),
    "correctB fails only the test that loops in it",
  );
  assert.deepEqual(byProgram(0).programs, [0, 2, 6], "the three copies of the wrong program are one group");
  assert.equal(byProgram(0).score, 3 * byProgram(0).passed.length);
  for (const i of [3, 5, 7]) assert.deepEqual(byProgram(i).passed, [], `program ${i} passes nothing`);
  assert.equal(groups[0], byProgram(1), "the best group comes first");
  assert.ok(
    groups.every((g, k) => k === 0 || g.score <= groups[k - 1]!.score),
    "groups are ranked by score",
  );
  assert.deepEqual(groups[0]!.programs, [1, 8]);
  assert.equal(groups[0]!.score, 2 * correctTests.length);
  assert.deepEqual(event("select").index, 1);
  const sandbox = span.children.find((s) => s.kind === "tool")!;
  assert.equal(sandbox.attributes.programs, 7);
  assert.ok((sandbox.attributes.fell_back as number) >= 2, "the looping programs' tests ran one by one");
});

test("tests come from tests_model when given, with the same task", async () => {
  const programsLM = scriptedLM((_r, info) => fence(info.sampleIndex === 0 ? wrong : correctA));
  const testsLM = scriptedLM(() => testReplies[0]!);
  const result = await codet(programsLM, { n: 2, tests: 1, tests_model: testsLM }).complete(ask, createRunContext());
  assert.equal(resultText(result), fence(correctA));
  assert.equal(testsLM.calls.length, 1);
  assert.match(contentText(testsLM.calls[0]!.messages.at(-1)!.content), /isPrime\(n\) that tells/);
  assert.equal(programsLM.calls.length, 1);
});

test(
  "Python: programs and assertions run batched, one process per program; a batch past its limit fails all its tests",
  { timeout: 120_000 },
  async (t) => {
    const hasPyodide = await import("pyodide").then(
      () => true,
      () => false,
    );
    if (!hasPyodide) return t.skip("pyodide is not installed");
    const py = (code: string) => fence(code, "python");
    const sources = [
      "def add(a, b):\n    return a * b",
      "def add(a, b):\n    return a * b",
      "def add(a, b):\n    return a + b",
      "def add(a, b):\n    while a != 1:\n        pass\n    return a + b",
    ];
    const lm = scriptedLM((request, info) =>
      contentText(request.messages.at(-1)!.content).startsWith("Write test cases")
        ? "```python\nassert add(1, 2) == 3\nassert add(2, 2) == 4\nassert add(0, 0) == 1\n```"
        : py(sources[info.sampleIndex]!),
    );
    const ctx = createRunContext();
    const result = await codet(lm, { n: 4, tests: 1, lang: "python", timeout_ms: 3000 }).complete(
      { messages: [{ role: "user", content: "Write add(a, b) in Python." }] },
      ctx,
    );
    // a*b passes add(2,2)==4 only: 2 programs × 1; a+b passes two: 1 × 2; a tie goes to the bigger group.
    const groups = techniqueSpan(ctx).events.find((e) => e.name === "groups")!.data!.groups as {
      programs: number[];
      passed: number[];
      score: number;
    }[];
    assert.deepEqual(groups, [
      { programs: [0, 1], passed: [1], score: 2 },
      { programs: [2], passed: [0, 1], score: 2 },
      // add(1, 2) would pass, but the batch hit its limit on add(2, 2): Python has no per-test rerun.
      { programs: [3], passed: [], score: 0 },
    ]);
    assert.equal(resultText(result), py(sources[0]!));
  },
);

test("a calls budget that stops the tests answers with the first program, marked budget", async () => {
  const lm = scriptedLM(script);
  const ctx = createRunContext({ budget: { calls: 1 } });
  const result = await codet(lm, { n: 8 }).complete(ask, ctx);
  assert.equal(result.choices[0]!.finish_reason, "budget");
  assert.equal(resultText(result), fence(wrong));
  assert.equal(lm.calls.length, 1);
});

test("a time budget stops looping programs at the deadline", async () => {
  const lm = scriptedLM((request) =>
    contentText(request.messages.at(-1)!.content).startsWith("Write test cases") ? testReplies[0]! : fence(looping),
  );
  const ctx = createRunContext({ budget: { time_ms: 300 } });
  const started = Date.now();
  const result = await codet(lm, { n: 2, timeout_ms: 60_000 }).complete(ask, ctx);
  assert.equal(result.choices[0]!.finish_reason, "budget");
  // Generous: the deadline is 300 ms; worker start-up and a loaded machine add to it.
  assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
});

test("an abort during the sandbox runs ends the run at once", async () => {
  const controller = new AbortController();
  const lm = scriptedLM((request) => {
    const tests = contentText(request.messages.at(-1)!.content).startsWith("Write test cases");
    if (tests) setTimeout(() => controller.abort(), 100);
    return tests ? testReplies[0]! : fence(looping);
  });
  const ctx = createRunContext({ signal: controller.signal });
  const started = Date.now();
  const outcome = await codet(lm, { n: 2, timeout_ms: 60_000 })
    .complete(ask, ctx)
    .then(
      (r) => r.choices[0]!.finish_reason,
      (e: unknown) => (AbortedError.isInstance(e) ? "AbortedError" : String(e)),
    );
  assert.ok(["aborted", "AbortedError"].includes(outcome), outcome);
  assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
});

test("a tests model that keeps failing leaves the first program as the answer, marked partial", async () => {
  const programsLM = scriptedLM(() => fence(correctA));
  const down = scriptedLM(
    () => {
      throw new UpstreamError({ provider: "test", failure: "http", status: 503, message: "unavailable" });
    },
    { retry: { retries: 0 } },
  );
  const ctx = createRunContext();
  const result = await codet(programsLM, { n: 2, tests_model: down }).complete(ask, ctx);
  assert.equal(resultText(result), fence(correctA));
  assert.equal(result.choices[0]!.finish_reason, "partial");
  assert.ok(techniqueSpan(ctx).events.some((e) => e.name === "partial"));
});
