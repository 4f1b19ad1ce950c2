/**
 * CodeT selection cost: 100 JavaScript programs × 100 assertions for one function (digit sum),
 * synthetic and seeded: a few correct variants and several wrong ones (off by one digit, wrong for
 * negatives or zero, wrong base), each made textually distinct, so all 100 run; 100 distinct
 * assertions, about one in five with a wrong expected value. The figure is the wall time of
 * `codet(n=100, tests=5)` end to end over a scripted model (sampling, parsing, 100 batched sandbox
 * executions, grouping), against the same pairs run as one execution per (program, assertion), measured
 * in the same run on the first 10 programs × all 100 assertions and extrapolated × 10 (10,000
 * executions would dominate the bench). Also checks that the chosen program is a correct one.
 *
 *   node --import tsx bench/codet.ts
 */
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { createRunContext } from "../src/core/context.ts";
import { contentText, resultText } from "../src/core/messages.ts";
import { seededRandom } from "../src/core/seeded-random.ts";
import { scriptedLM } from "../src/providers/scripted/scripted-lm.ts";
import { runJavaScript } from "../src/sandbox/run-javascript.ts";
import { codet } from "../src/techniques/codet/codet.ts";
import { parseAssertions } from "../src/techniques/codet/parse-assertions.ts";
import { testHarness } from "../src/techniques/codet/test-harness.ts";
import type { Span } from "../src/trace/span.ts";

const PROGRAMS = 100;
const TEST_REPLIES = 5;
const PER_REPLY = 20;
const GOAL_SECONDS = 10;

const correct = [
  "function digitSum(n) {\n  let s = 0;\n  n = Math.abs(n);\n  while (n > 0) { s += n % 10; n = Math.floor(n / 10); }\n  return s;\n}",
  "function digitSum(n) {\n  return String(Math.abs(n)).split('').reduce((a, d) => a + Number(d), 0);\n}",
  "const digitSum = (n) => [...Math.abs(n).toString()].map(Number).reduce((a, b) => a + b, 0);",
];
const wrong = [
  // Drops the last digit.
  "function digitSum(n) {\n  let s = 0;\n  n = Math.abs(n);\n  while (n >= 10) { n = Math.floor(n / 10); s += n % 10; }\n  return s;\n}",
  // Wrong for negatives.
  "function digitSum(n) {\n  let s = 0;\n  while (n > 0) { s += n % 10; n = Math.floor(n / 10); }\n  return s;\n}",
  // Sums in base 16.
  "function digitSum(n) {\n  return Math.abs(n).toString(16).split('').reduce((a, d) => a + parseInt(d, 16), 0);\n}",
  // Counts digits.
  "function digitSum(n) {\n  return String(Math.abs(n)).length;\n}",
];
// Right for n >= 0, loops forever on negatives (Math.floor(-0.1) is -1): half the assertions loop in it.
const loopsOnNegatives =
  "function digitSum(n) {\n  let s = 0;\n  while (n !== 0) { s += n % 10; n = Math.floor(n / 10); }\n  return s;\n}";
const trueSum = (n: number) => [...String(Math.abs(n))].reduce((a, d) => a + Number(d), 0);

/**
 * Program i: mostly wrong ones (70 %), each with a comment that makes its text distinct; the first
 * `looping` of them loop forever on negative inputs.
 */
function programs(looping = 0): string[] {
  const random = seededRandom(14);
  return Array.from({ length: PROGRAMS }, (_, i) => {
    const pool = i < looping ? [loopsOnNegatives] : random() < 0.3 ? correct : wrong;
    return `// sample ${i}\n${pool[Math.floor(random() * pool.length)]!}`;
  });
}

/** TEST_REPLIES replies of PER_REPLY distinct assertions each; about one in five expects a wrong value. */
function testReplies(): string[] {
  const random = seededRandom(7);
  let k = 0;
  return Array.from({ length: TEST_REPLIES }, () => {
    const lines = Array.from({ length: PER_REPLY }, () => {
      const n = (k++ % 2 === 0 ? 1 : -1) * (k * 7919 + Math.floor(random() * 1000));
      const expected = trueSum(n) + (random() < 0.2 ? 1 : 0);
      return `assert(digitSum(${n}) === ${expected});`;
    });
    return "```javascript\n" + lines.join("\n") + "\n```";
  });
}

export interface CodetBenchResult {
  name: "codet";
  cores: number;
  programs: number;
  tests: number;
  /** codet end to end: sampling, 100 batched executions, grouping. */
  seconds: number;
  /** The same with 2 of the programs looping forever on half the assertions (their assertions then run one by one). */
  looping_seconds: number;
  /** One execution per (program, assertion) pair, measured on 10 programs and extrapolated to all. */
  pairs_seconds_extrapolated: number;
  pairs_measured: number;
  speedup: number;
  chose_correct: boolean;
  best_score: number;
  goal_seconds: number;
  met: boolean;
}

export async function run(options: { log?: (line: string) => void } = {}): Promise<CodetBenchResult> {
  const { log = console.log } = options;
  const sources = programs();
  const replies = testReplies();
  const modelOf = (texts: string[]) =>
    scriptedLM((request, info) =>
      contentText(request.messages.at(-1)!.content).startsWith("Write test cases")
        ? replies[info.sampleIndex % replies.length]!
        : "```javascript\n" + texts[info.sampleIndex]! + "\n```",
    );
  const lm = modelOf(sources);
  const request = {
    messages: [{ role: "user" as const, content: "Write digitSum(n): the sum of n's decimal digits." }],
  };
  // Warm the worker pool once, as a serving process would be.
  await runJavaScript("1");

  const ctx = createRunContext();
  const started = performance.now();
  const result = await codet(lm, { n: PROGRAMS, tests: TEST_REPLIES }).complete(request, ctx);
  const seconds = (performance.now() - started) / 1000;
  const span = ctx.span.children.find((s: Span) => s.kind === "technique")!;
  const tests = span.events.find((e) => e.name === "tests")!.data!.tests as string[];
  const groups = span.events.find((e) => e.name === "groups")!.data!.groups as { score: number }[];
  const chosen = resultText(result);
  const chose_correct = correct.some((c) => chosen.includes(c));

  const loopingStarted = performance.now();
  const looped = await codet(modelOf(programs(2)), { n: PROGRAMS, tests: TEST_REPLIES }).complete(
    request,
    createRunContext(),
  );
  const looping_seconds = (performance.now() - loopingStarted) / 1000;
  const looping_correct = correct.some((c) => resultText(looped).includes(c));

  const subset = sources.slice(0, 10);
  const assertions = replies.flatMap((text) => parseAssertions({ text, language: "javascript" }));
  const pairsStarted = performance.now();
  await Promise.all(
    subset.flatMap((program) =>
      assertions.map((t) => runJavaScript(testHarness({ language: "javascript", program, tests: [t] }))),
    ),
  );
  const pairsMeasured = subset.length * assertions.length;
  const pairs_seconds_extrapolated = ((performance.now() - pairsStarted) / 1000) * (PROGRAMS / subset.length);

  const r: CodetBenchResult = {
    name: "codet",
    cores: availableParallelism(),
    programs: PROGRAMS,
    tests: tests.length,
    seconds: round(seconds),
    looping_seconds: round(looping_seconds),
    pairs_seconds_extrapolated: round(pairs_seconds_extrapolated),
    pairs_measured: pairsMeasured,
    speedup: round(pairs_seconds_extrapolated / seconds),
    chose_correct: chose_correct && looping_correct,
    best_score: groups[0]!.score,
    goal_seconds: GOAL_SECONDS,
    met: seconds < GOAL_SECONDS && looping_seconds < GOAL_SECONDS && chose_correct && looping_correct,
  };
  log(
    [
      `codet: ${r.programs} programs × ${r.tests} assertions on ${r.cores} cores: ${r.seconds} s end to end (goal < ${GOAL_SECONDS} s)`,
      `with 2 programs looping forever on half the assertions: ${r.looping_seconds} s`,
      `one execution per pair: ${r.pairs_seconds_extrapolated} s (measured ${pairsMeasured} pairs, × ${PROGRAMS / subset.length}), ${r.speedup}× slower`,
      `chose a correct program: ${r.chose_correct} (best group score ${r.best_score}) — ${r.met ? "PASS" : "MISS"}`,
    ].join("\n"),
  );
  return r;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
