import { z } from "zod";
import { programLimitOptions } from "../tools/program-limit-options.ts";
import { childContext } from "../../core/context.ts";
import { AbortedError } from "../../core/errors/aborted-error.ts";
import { contentText } from "../../core/messages.ts";
import { deadlineOf } from "../../sandbox/deadline-of.ts";
import type { ProgramLanguage } from "../../sandbox/run-program.ts";
import { defineTechnique, type TechniqueRun } from "../define-technique.ts";
import { fillTemplate } from "../prompt-template.ts";
import { clientModel, clientValue } from "../spec/option-trust.ts";
import { lmOption } from "../stage/lm-option.ts";
import { degrades, markPartial, sampleStage } from "../stage/sample-stage.ts";
import { perCallOption } from "../sample-many/per-call-option.ts";
import { questionOf, stageRequest } from "../stage/stage-request.ts";
import { templateOption } from "../stage/template-option.ts";
import { extractCode } from "../tools/extract-code.ts";
import { dualAgreement, type AgreementGroup } from "./dual-agreement.ts";
import { parseAssertions } from "./parse-assertions.ts";
import { runTests, type ProgramOutcome } from "./run-tests.ts";

/** Distinct assertions run against each program; more are dropped (the first ones are kept). */
export const MAX_TESTS = 500;

const programPrompt = `{question}

Reply with one fenced {language} code block holding the complete code (the function and anything it needs), and nothing else.`;

const testsPrompt = `Write test cases for the {language} function that the task below asks for. Do not write the function itself.

Task:
{question}

Reply with one fenced {language} code block of up to 10 independent assertions, one per line, each checking one call against its expected result, in the form:
{assertion}`;

const assertionForms: Record<ProgramLanguage, string> = {
  javascript:
    "assert(name(args) === expected);   (or assert.deepStrictEqual(name(args), expected); for arrays and objects)",
  python: "assert name(args) == expected",
};

const options = z.strictObject({
  n: clientValue(z.int().min(1).max(1000).default(10).describe("Programs sampled.")),
  tests: clientValue(
    z.int().min(1).max(100).default(2).describe("Test replies sampled; each gives up to 20 assertions."),
  ),
  tests_model: clientModel(lmOption().optional().describe("The LM that writes the tests (default: the inner LM).")),
  per_call: clientValue(perCallOption),
  lang: clientValue(
    z
      .enum(["js", "python"])
      .default("js")
      .describe("The language of the programs and tests: js (QuickJS sandbox) or python (Pyodide)."),
  ),
  ...programLimitOptions("Time limit of one program's run with all its tests."),
  prompt: clientValue(
    templateOption({ text: programPrompt, placeholders: ["question", "language"], required: ["question"] }).describe(
      "Asks for a program.",
    ),
  ),
  tests_prompt: clientValue(
    templateOption({
      text: testsPrompt,
      placeholders: ["question", "language", "assertion"],
      required: ["question"],
    }).describe("Asks for test assertions; {assertion} is the form an assertion takes."),
  ),
});
type Options = z.output<typeof options>;

/**
 * CodeT (Chen et al. 2022, "CodeT: Code Generation with Generated Tests"): n programs and, from the
 * same task, test assertions written by the model (or `tests_model`); every distinct program runs
 * against every distinct assertion in the sandbox; programs passing the same tests form a group,
 * ranked by dual agreement (programs in the group × tests it passes). The answer is the reply of
 * the best group's first program, exactly as the model wrote it. The trace holds the tests, the
 * groups with their scores and the choice.
 */
export const codet = defineTechnique({
  name: "codet",
  family: "sample-many",
  paper: "Chen et al. 2022, CodeT: Code Generation with Generated Tests",
  description:
    "Sample n programs and model-written tests, run each program against each test in the sandbox, and answer with a program of the group with the best dual agreement.",
  options,
  tunables: { knobs: ["n", "tests"], instructions: ["prompt", "tests_prompt"] },
  modelOptions: ["tests_model"],
  async run(run, o) {
    const language: ProgramLanguage = o.lang === "python" ? "python" : "javascript";
    const name = language === "python" ? "Python" : "JavaScript";
    const question = questionOf({ request: run.request, technique: "codet" });
    const stage = await sampleStage({
      run,
      name: "programs",
      request: stageRequest({ request: run.request, prompt: fillTemplate(o.prompt, { question, language: name }) }),
      n: o.n,
      perCall: o.per_call,
    });
    const samples = stage.result.choices;
    const mark = (index: number) => markPartial(run, samples[index]!, { ...stage, got: samples.length });
    run.keep(samples[0]!);
    run.progress({ stage: "sampled", programs: samples.length });
    if (run.ctx.signal?.aborted) throw new AbortedError();

    const tests = await writeTests(run, o, language, name, question).catch((error: unknown) => {
      if (!degrades(error)) throw error;
      // No test reply came back (the upstream kept failing): nothing to rank by.
      run.ctx.span.event("partial", { reason: "tests failed", error: (error as Error).message });
      return undefined;
    });
    if (tests === undefined) return { ...mark(0), finish_reason: "partial" as const };
    if (run.ctx.signal?.aborted) throw new AbortedError();
    const codes = samples.map((c) => extractCode({ text: contentText(c.message.content), language }));
    const distinct = [...new Set(codes.filter((c): c is string => c !== undefined))];
    run.ctx.span.event("programs", { samples: samples.length, distinct: distinct.length, tests: tests.length });
    if (distinct.length === 0) {
      run.ctx.span.event("select", { index: 0, reason: `no sample held a ${name} program` });
      return mark(0);
    }
    const outcomes = await execute(run, o, language, distinct, tests);
    const byCode = new Map(distinct.map((code, i) => [code, outcomes[i]!]));
    const groups = dualAgreement(
      codes.flatMap((code, sample) => (code === undefined ? [] : [{ sample, passed: byCode.get(code)!.passed }])),
    );
    const best = groups[0]!;
    run.ctx.span.event("groups", { groups: groups.map(shown) });
    run.ctx.span.event("select", { index: best.programs[0]!, score: best.score, groups: groups.length });
    run.progress({ stage: "selected", index: best.programs[0]!, score: best.score });
    return mark(best.programs[0]!);
  },
});

/** The distinct assertions of `tests` test replies, in the order they came. */
async function writeTests(
  run: TechniqueRun,
  o: Options,
  language: ProgramLanguage,
  name: string,
  question: string,
): Promise<string[]> {
  const prompt = fillTemplate(o.tests_prompt, { question, language: name, assertion: assertionForms[language] });
  const stage = await sampleStage({
    run,
    name: "tests",
    lm: o.tests_model ?? run.inner,
    request: stageRequest({ request: run.request, prompt, purpose: "note" }),
    n: o.tests,
    perCall: o.per_call,
  });
  const all = stage.result.choices.flatMap((c) => parseAssertions({ text: contentText(c.message.content), language }));
  const tests = [...new Set(all)].slice(0, MAX_TESTS);
  run.ctx.span.event("tests", { replies: stage.result.choices.length, assertions: all.length, tests });
  return tests;
}

/** Runs the programs against the tests in one `tool` span; a time budget that ran out ends the run as a budget stop. */
async function execute(
  run: TechniqueRun,
  o: Options,
  language: ProgramLanguage,
  programs: string[],
  tests: string[],
): Promise<ProgramOutcome[]> {
  const ctx = childContext(run.ctx, "sandbox", "tool", {
    tool: "sandbox",
    language,
    programs: programs.length,
    tests: tests.length,
  });
  const deadline = deadlineOf(run.ctx);
  const started = performance.now();
  const outcomes = await runTests({
    language,
    programs,
    tests,
    timeoutMs: o.timeout_ms,
    testTimeoutMs: testTimeoutMs(o.timeout_ms),
    memoryBytes: o.memory_mb * 1024 * 1024,
    signal: run.ctx.signal,
    deadline,
  }).catch((e: unknown) => {
    ctx.span.fail(e);
    throw e;
  });
  ctx.span.set({
    executions: outcomes.reduce((n, r) => n + r.executions, 0),
    fell_back: outcomes.filter((r) => r.fellBack).length,
    failed: outcomes.filter((r) => r.error !== undefined).length,
    latency_ms: Math.round(performance.now() - started),
  });
  ctx.span.finish();
  if (deadline !== undefined && Date.now() >= deadline) throw run.ctx.budget.timeExceeded();
  return outcomes;
}

/**
 * The limit of one assertion run alone after its program's batched run hit a limit: a tenth of
 * `timeout_ms`, at most 100 ms (a generated assertion is one small call; every looping one burns it
 * whole), at least 10 ms.
 */
export function testTimeoutMs(timeoutMs: number): number {
  return Math.max(10, Math.min(100, Math.floor(timeoutMs / 10)));
}

function shown(g: AgreementGroup) {
  return { programs: g.programs, passed: g.passed, score: g.score };
}
