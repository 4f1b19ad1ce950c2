export { runJavaScript } from "./run-javascript.ts";
export { runPython } from "./python/run-python.ts";
export { runProgram, type ProgramLanguage } from "./run-program.ts";
export { sandboxDefaults, type SandboxLimit, type SandboxOptions, type SandboxResult } from "./sandbox-result.ts";
export { configureSandboxPool, sandboxPool, SandboxPool, type SandboxPoolOptions } from "./sandbox-pool.ts";
export { deadlineOf } from "./deadline-of.ts";
