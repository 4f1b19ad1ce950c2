import type { ProgramLanguage } from "../../sandbox/run-program.ts";
import type { SandboxResult } from "../../sandbox/sandbox-result.ts";

/** Output shown in the final message is cut to this many characters (the trace keeps it whole). */
const SHOWN_OUTPUT = 2000;

/**
 * The answer a successful program gives: its result (last expression or return value) when it has
 * one, else the last non-empty line it printed. Undefined when it gave neither.
 */
export function programAnswer(result: SandboxResult): string | undefined {
  if (result.result !== undefined && result.result !== null && result.result !== "") {
    return typeof result.result === "string" ? result.result : JSON.stringify(result.result);
  }
  const lines = result.stdout
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.at(-1);
}

/**
 * The final message of program-aided: the program in a fenced block, its output, then the answer
 * line `The answer is X.` last, so answer extraction finds it even when the program mentions
 * "answer" itself.
 */
export function programAnswerText(options: {
  language: ProgramLanguage;
  code: string;
  stdout: string;
  answer: string;
}): string {
  const { language, code, stdout, answer } = options;
  const shown = stdout.length > SHOWN_OUTPUT ? `${stdout.slice(0, SHOWN_OUTPUT)}\n[...]` : stdout;
  const output = shown.trim() ? `Output:\n\`\`\`\n${shown.trimEnd()}\n\`\`\`\n\n` : "";
  return `Program (${language}):\n\`\`\`${language}\n${code}\n\`\`\`\n\n${output}The answer is ${answer.trim()}.`;
}

/**
 * The message when no program worked: says so plainly, with the last error. The program itself stays
 * in the trace: text from a failed program (a number it printed or assigned) must never read as the answer.
 */
export function programFailureText(options: { language: ProgramLanguage; attempts: number; error: string }): string {
  const { language, attempts, error } = options;
  return `No ${language} program produced an answer after ${attempts} attempt${attempts === 1 ? "" : "s"}. Last error:\n${error}`;
}
