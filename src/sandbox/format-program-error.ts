import type { SandboxLimit } from "./sandbox-result.ts";

/** An error as the VM dumped it: an Error's fields, or any thrown value. */
export type DumpedError =
  { name?: unknown; message?: unknown; stack?: unknown } | string | number | boolean | null | undefined;

/**
 * Readable text for a program's uncaught error, `Name: message (line N)`, and the limit behind it if
 * any. QuickJS reports limits as InternalErrors ("interrupted", "out of memory", "stack overflow");
 * they are renamed so that a model reading the text knows what to change.
 */
export function formatProgramError(options: {
  error: DumpedError;
  filename: string;
  timeoutMs: number;
  memoryBytes: number;
}): { text: string; limit?: SandboxLimit } {
  const { error, filename, timeoutMs, memoryBytes } = options;
  if (error === null || typeof error !== "object")
    return { text: `Uncaught ${typeof error === "string" ? JSON.stringify(error) : String(error)}` };
  const name = typeof error.name === "string" ? error.name : "Error";
  const message = typeof error.message === "string" ? error.message : String(error.message ?? "");
  const line = lineOf(typeof error.stack === "string" ? error.stack : "", filename);
  const at = line ? ` (line ${line})` : "";
  // No line for a timeout: QuickJS reports the enclosing function's first line, not the loop's.
  if (name === "InternalError" && message === "interrupted")
    return { text: `TimeoutError: the program ran longer than ${timeoutMs} ms and was stopped`, limit: "time" };
  if (message === "out of memory")
    return { text: `MemoryError: the program exceeded the ${mib(memoryBytes)} memory limit${at}`, limit: "memory" };
  if (/stack overflow|call stack size/i.test(message))
    return {
      text: `RangeError: maximum call stack size exceeded (the program recursed too deeply)${at}`,
      limit: "stack",
    };
  return { text: `${name}: ${message}${at}` };
}

/** The program's line from a QuickJS stack (`at f (program.js:3:5)`), the innermost frame first. */
function lineOf(stack: string, filename: string): number | undefined {
  const escaped = filename.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const m = new RegExp(`${escaped}:(\\d+)`).exec(stack);
  return m ? Number(m[1]) : undefined;
}

export function mib(bytes: number): string {
  const m = bytes / (1024 * 1024);
  return `${Number.isInteger(m) ? m : m.toFixed(1)} MB`;
}
