import { z } from "zod";
import { programLimitOptions } from "./program-limit-options.ts";
import { childContext } from "../../core/context.ts";
import { AbortedError } from "../../core/errors/aborted-error.ts";
import { resultText } from "../../core/messages.ts";
import type { Choice, Message } from "../../core/types.ts";
import { deadlineOf } from "../../sandbox/deadline-of.ts";
import { runProgram, type ProgramLanguage } from "../../sandbox/run-program.ts";
import type { SandboxResult } from "../../sandbox/sandbox-result.ts";
import { defineTechnique, type TechniqueRun } from "../define-technique.ts";
import { fillTemplate } from "../prompt-template.ts";
import { runStage } from "../stage/run-stage.ts";
import { questionOf, stageRequest } from "../stage/stage-request.ts";
import { templateOption } from "../stage/template-option.ts";
import { extractCode } from "./extract-code.ts";
import { programAnswer, programAnswerText, programFailureText } from "./program-answer.ts";
import { clientValue } from "../spec/option-trust.ts";

const programPrompt = `Write a {language} program that computes the answer to the question below.

Rules:
- Reply with one fenced code block containing the complete {language} program, and nothing else.
- Put all the data the program needs into the code: it runs in a sandbox without files, network or modules.
- Compute the result step by step with clear variable names, then print only the final answer as the last line of output (console.log in JavaScript, print in Python).

Question: {question}`;

const fixPrompt = `Running the program failed:
{error}

Fix it. Reply with the complete corrected {language} program in one fenced code block; it must print the final answer as its last line of output.`;

const options = z.strictObject({
  lang: clientValue(
    z
      .enum(["js", "python"])
      .default("js")
      .describe("The language the model writes: js (QuickJS sandbox) or python (Pyodide)."),
  ),
  max_fixes: clientValue(
    z
      .int()
      .min(0)
      .max(10)
      .default(2)
      .describe("How many times a failing program goes back to the model with its error."),
  ),
  ...programLimitOptions("Time limit of one program run."),
  prompt: clientValue(
    templateOption({ text: programPrompt, placeholders: ["question", "language"], required: ["question"] }).describe(
      "Asks for the program.",
    ),
  ),
  fix_prompt: clientValue(
    templateOption({
      text: fixPrompt,
      placeholders: ["question", "language", "error", "code"],
      required: ["error"],
    }).describe("Sent after a failed run: {error} is the error text, {code} the program."),
  ),
});
type Options = z.output<typeof options>;

/**
 * Program-aided answers (Gao et al. 2022, "PAL: Program-aided Language Models"; Chen et al. 2022,
 * "Program of Thoughts Prompting"): the model writes a program that computes the answer, lmx runs
 * it in the sandbox (QuickJS for js, Pyodide for python) and the program's result is the answer. A
 * failing program (error, limit, no output, no code) goes back to the model with the error text,
 * up to `max_fixes` times. The final message holds the program, its output and, last, the line
 * `The answer is X.`; when no program works it says so with the last error. Programs run off the
 * event loop in pooled sandboxes, each bounded by `timeout_ms` and the request's time budget.
 */
export const programAided = defineTechnique({
  name: "program-aided",
  family: "tools",
  paper: "Gao et al. 2022, PAL: Program-aided Language Models; Chen et al. 2022, Program of Thoughts Prompting",
  description:
    "The model writes a program for the question; lmx runs it in a sandbox and answers with its result, feeding errors back for fixes.",
  options,
  tunables: { knobs: ["lang", "max_fixes"], instructions: ["prompt", "fix_prompt"] },
  async run(run, o) {
    const language: ProgramLanguage = o.lang === "python" ? "python" : "javascript";
    const name = language === "python" ? "Python" : "JavaScript";
    const question = questionOf({ request: run.request, technique: "program-aided" });
    let request = stageRequest({
      request: run.request,
      prompt: fillTemplate(o.prompt, { question, language: name }),
      purpose: "note",
    });
    let error = "";
    let code: string | undefined;
    const attempts = o.max_fixes + 1;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const reply = resultText(await runStage({ run, name: `program ${attempt}`, request }));
      if (run.ctx.signal?.aborted) throw new AbortedError();
      code = extractCode({ text: reply, language });
      run.ctx.span.event("program", { attempt, language, code: code ?? null });
      // What a budget stop returns when no program answered: the plain failure so far.
      run.keep({
        index: 0,
        message: {
          role: "assistant",
          content: programFailureText({
            language,
            attempts: attempt,
            error: error || "the budget ran out before a program answered",
          }),
        },
        finish_reason: "no_answer",
      });
      const outcome = code
        ? await execute(run, o, language, code, attempt)
        : { error: `the reply contained no ${name} program in a fenced code block` };
      if ("answer" in outcome) {
        const choice: Choice = {
          index: 0,
          message: {
            role: "assistant",
            content: programAnswerText({
              language,
              code: code!,
              stdout: outcome.result.stdout,
              answer: outcome.answer,
            }),
          },
          finish_reason: "stop",
        };
        run.keep(choice);
        run.progress({ stage: "answered", attempt });
        return choice;
      }
      error = outcome.error;
      run.ctx.span.event("program error", { attempt, error });
      run.progress({ stage: "program failed", attempt, error });
      if (attempt === attempts) break;
      const feedback = fillTemplate(o.fix_prompt, { question, language: name, error, code: code ?? "" });
      request = {
        ...request,
        messages: [
          ...request.messages,
          { role: "assistant", content: reply } as Message,
          { role: "user", content: feedback },
        ],
      };
    }
    run.ctx.span.event("no answer", { attempts, error });
    return {
      index: 0,
      message: { role: "assistant", content: programFailureText({ language, attempts, error }) },
      finish_reason: "no_answer",
    };
  },
});

/** Runs one program in a `tool` span; the answer, or the error text for the model. */
async function execute(
  run: TechniqueRun,
  o: Options,
  language: ProgramLanguage,
  code: string,
  attempt: number,
): Promise<{ answer: string; result: SandboxResult } | { error: string }> {
  const ctx = childContext(run.ctx, "sandbox", "tool", { tool: "sandbox", language, attempt, code });
  const deadline = deadlineOf(run.ctx);
  const result = await runProgram({
    language,
    code,
    timeoutMs: o.timeout_ms,
    memoryBytes: o.memory_mb * 1024 * 1024,
    signal: run.ctx.signal,
    deadline,
  }).catch((e: unknown) => {
    ctx.span.fail(e);
    throw e;
  });
  ctx.span.set({
    ok: result.ok,
    stdout: result.stdout,
    result: result.result,
    error: result.error,
    limit: result.limit,
    latency_ms: result.durationMs,
  });
  run.ctx.span.event("program output", {
    attempt,
    ok: result.ok,
    stdout: result.stdout,
    result: result.result ?? null,
    error: result.error ?? null,
  });
  if (!result.ok) {
    ctx.span.fail(result.error);
    // The time budget stopped the program: no fix round can run, the run ends as a budget stop.
    if (result.limit === "time" && deadline !== undefined && Date.now() >= deadline)
      throw run.ctx.budget.timeExceeded();
    const printed = result.stdout.trim() ? `\nOutput before the error:\n${result.stdout.slice(-1000)}` : "";
    return { error: `${result.error}${printed}` };
  }
  ctx.span.finish();
  const answer = programAnswer(result);
  return answer === undefined
    ? { error: "the program ran but printed nothing and returned no value: print the final answer" }
    : { answer, result };
}
