import { deadlineOf } from "../sandbox/deadline-of.ts";
import { runProgram, type ProgramLanguage } from "../sandbox/run-program.ts";
import type { SandboxResult } from "../sandbox/sandbox-result.ts";
import { functionTool, type Tool } from "./tool.ts";
import { stringArgument } from "./tool-arguments.ts";
import { ToolError } from "./tool-error.ts";

/**
 * A tool that runs a program the model writes in the sandbox (`run_javascript` in QuickJS, or
 * `run_python` in Pyodide) and returns what it printed and the value of its last expression.
 * A failing program is a ToolError with the error text and the output so far. The run's time
 * budget bounds the program (its queue wait for a sandbox slot included).
 */
export function sandboxTool(
  options: { language?: ProgramLanguage; timeoutMs?: number; memoryBytes?: number } = {},
): Tool {
  const { language = "javascript", timeoutMs, memoryBytes } = options;
  const name = language === "python" ? "run_python" : "run_javascript";
  const lang = language === "python" ? "Python" : "JavaScript";
  return functionTool({
    name,
    description:
      `Runs a ${lang} program in an isolated sandbox (no files, network, modules or host access; time and memory limited) ` +
      `and returns what it printed and the value of its last expression. Use it for exact computation, counting, dates or text processing.`,
    parameters: {
      type: "object",
      properties: {
        code: {
          type: "string",
          description: `The ${lang} program. Print results${language === "python" ? " with print()" : " with console.log()"} or end with an expression.`,
        },
      },
      required: ["code"],
      additionalProperties: false,
    },
    async execute(args, ctx) {
      const code = stringArgument({ tool: name, args, name: "code" });
      const result = await runProgram({
        language,
        code,
        timeoutMs,
        memoryBytes,
        signal: ctx.signal,
        deadline: deadlineOf(ctx),
      });
      if (!result.ok)
        throw new ToolError({
          tool: name,
          message: `${result.error}${result.stdout ? `\nOutput before the error:\n${result.stdout}` : ""}`,
        });
      return sandboxOutputText(result);
    },
  });
}

/** What a successful run shows a model: its output, then its result when it has one. */
export function sandboxOutputText(result: SandboxResult): string {
  const value =
    result.result === undefined
      ? undefined
      : typeof result.result === "string"
        ? result.result
        : JSON.stringify(result.result);
  if (result.stdout && value !== undefined) return `${result.stdout}\nResult: ${value}`;
  return result.stdout || value || "(the program printed nothing and returned no value)";
}
