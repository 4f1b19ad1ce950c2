import { runProgram, type ProgramLanguage } from "../../sandbox/run-program.ts";
import type { SandboxResult } from "../../sandbox/sandbox-result.ts";
import { passList, testHarness } from "./test-harness.ts";

/** What running one program against every test gave. */
export interface ProgramOutcome {
  /** passed[j]: the program passed test j. */
  passed: boolean[];
  /** Sandbox executions made for it (1, or 1 + tests after a batched run hit a limit). */
  executions: number;
  /** The batched run hit a sandbox limit, so its tests ran one by one (JavaScript) or all failed (Python). */
  fellBack: boolean;
  /** The batched run's error, if it failed. */
  error?: string;
}

export interface RunTestsOptions {
  language: ProgramLanguage;
  programs: string[];
  tests: string[];
  /** Limit of one batched execution (a program with all its tests). */
  timeoutMs: number;
  /** Limit of one test run alone, in the fallback. */
  testTimeoutMs: number;
  memoryBytes: number;
  signal?: AbortSignal;
  deadline?: number;
}

/**
 * Runs every program against every test: one sandbox execution per program that runs all tests,
 * each in its own try/catch (see `testHarness`), all programs at once (the sandbox pool bounds how
 * many run together). When a JavaScript batch hits a limit (a test that loops forever), that
 * program's tests run again one per execution with `testTimeoutMs` each, so a looping test fails
 * only itself. Python starts a process per execution (seconds each), so a Python batch that hits a
 * limit fails all its tests instead.
 */
export async function runTests(options: RunTestsOptions): Promise<ProgramOutcome[]> {
  return Promise.all(options.programs.map((program) => runOne(options, program)));
}

async function runOne(options: RunTestsOptions, program: string): Promise<ProgramOutcome> {
  const { language, tests } = options;
  const none = tests.map(() => false);
  if (tests.length === 0) return { passed: none, executions: 0, fellBack: false };
  const batch = await execute(options, program, tests, options.timeoutMs);
  const passed = batch.ok ? passList(batch.result, tests.length) : undefined;
  if (passed) return { passed, executions: 1, fellBack: false };
  const error = batch.error ?? "the tests gave no result";
  // An error at top level fails every test anyway; only a limit can hide tests that would pass.
  if (!batch.limit || language === "python" || tests.length === 1)
    return { passed: none, executions: 1, fellBack: batch.limit !== undefined, error };
  const alone = await Promise.all(
    tests.map(async (test) => {
      const r = await execute(options, program, [test], options.testTimeoutMs);
      return r.ok && passList(r.result, 1)?.[0] === true;
    }),
  );
  return { passed: alone, executions: 1 + tests.length, fellBack: true, error };
}

function execute(
  options: RunTestsOptions,
  program: string,
  tests: string[],
  timeoutMs: number,
): Promise<SandboxResult> {
  return runProgram({
    language: options.language,
    code: testHarness({ language: options.language, program, tests }),
    timeoutMs,
    memoryBytes: options.memoryBytes,
    signal: options.signal,
    deadline: options.deadline,
  });
}
