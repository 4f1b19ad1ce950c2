import { AbortedError } from "../core/errors/aborted-error.ts";
import { javascriptWorkers } from "./javascript-workers.ts";
import { runAdmitted } from "./run-admitted.ts";
import { sandboxLimits, type SandboxOptions, type SandboxResult } from "./sandbox-result.ts";

/** What a JavaScript run reserves in the pool beyond its memory limit: the worker thread's heap and the QuickJS module. */
export const JAVASCRIPT_OVERHEAD_BYTES = 64 * 1024 * 1024;

/**
 * Runs model-written JavaScript in QuickJS (WebAssembly) inside a pooled worker thread, in a fresh
 * runtime and context, and returns its result, output and error as data. The program sees the
 * language and a `console`/`print` that write to `stdout`, nothing of the host: no require, import,
 * process, fetch or file system. Time, memory and stack are limited; hitting a limit is an `error`
 * with `limit` set, never a host failure. The host's event loop never runs the program: a run past
 * its time limit has its thread terminated, and `signal` stops a run at any time.
 */
export async function runJavaScript(code: string, options: SandboxOptions = {}): Promise<SandboxResult> {
  if (options.signal?.aborted) throw new AbortedError();
  const limits = sandboxLimits(options);
  const started = performance.now();
  const outcome = await runAdmitted({
    pool: options.pool,
    bytes: limits.memoryBytes + JAVASCRIPT_OVERHEAD_BYTES,
    timeoutMs: limits.timeoutMs,
    deadline: options.deadline,
    signal: options.signal,
    run: (timeoutMs) => javascriptWorkers.run(code, { ...limits, timeoutMs }, options.signal, options.deadline),
  });
  return { ...outcome, durationMs: Math.round((performance.now() - started) * 100) / 100 };
}
