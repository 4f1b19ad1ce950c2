import { runPython } from "./python/run-python.ts";
import { runJavaScript } from "./run-javascript.ts";
import type { SandboxOptions, SandboxResult } from "./sandbox-result.ts";

export type ProgramLanguage = "javascript" | "python";

/** Runs `code` in the sandbox of its language: QuickJS for JavaScript, Pyodide for Python. */
export function runProgram({
  language,
  code,
  ...limits
}: { language: ProgramLanguage; code: string } & SandboxOptions): Promise<SandboxResult> {
  return language === "python" ? runPython(code, limits) : runJavaScript(code, limits);
}
