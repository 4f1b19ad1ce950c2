import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from "quickjs-emscripten";
import { formatProgramError, type DumpedError } from "./format-program-error.ts";
import { consolePrelude, describePrelude, errorPrelude } from "./quickjs-prelude.ts";
import { discardQuickJSModule, quickJSModule } from "./quickjs-module.ts";
import { OutputBuffer, type sandboxLimits, type SandboxResult } from "./sandbox-result.ts";

const FILENAME = "program.js";

/** What a run gives back before the host adds its wall time. */
export type QuickJSOutcome = Omit<SandboxResult, "durationMs">;

/**
 * Runs model-written JavaScript in a fresh QuickJS runtime and context of `module` and returns its
 * result, output and error as data, each cut at the output limit inside the VM (a 30 MB thrown
 * string never reaches the host whole). The program sees the language and a `console`/`print` that
 * write to `stdout`, nothing of the host. Time (interrupt handler), memory and stack are limited;
 * hitting a limit is an `error` with `limit` set. Synchronous: callers run it in a worker thread
 * (see `javascript-workers.ts`), never on the main event loop.
 */
export function runQuickJS(module: QuickJSWASMModule, code: string, limits: Limits): QuickJSOutcome {
  const stdout = new OutputBuffer(limits.maxOutputChars);
  const outcome = runIn(module, code, limits, stdout);
  const limited = (stdout.truncated || outcome.resultCut === true) && outcome.ok;
  const { resultCut: _cut, ...rest } = outcome;
  return { ...rest, stdout: stdout.text(), ...(limited ? { limit: "output" as const } : {}) };
}

export type Limits = ReturnType<typeof sandboxLimits>;
type Outcome = Omit<SandboxResult, "stdout" | "durationMs"> & { resultCut?: boolean };

function runIn(module: QuickJSWASMModule, code: string, limits: Limits, stdout: OutputBuffer): Outcome {
  let runtime: QuickJSRuntime | undefined;
  let context: QuickJSContext | undefined;
  const handles: QuickJSHandle[] = [];
  try {
    runtime = module.newRuntime();
    runtime.setMemoryLimit(limits.memoryBytes);
    runtime.setMaxStackSize(limits.stackBytes);
    let deadline = Date.now() + limits.timeoutMs;
    // Once past the deadline every later check interrupts too, so a flood of promise jobs (each
    // interrupt only rejects its own job's promise) stops at once instead of running on.
    let timedOut = false;
    runtime.setInterruptHandler(() => (timedOut ||= Date.now() > deadline));
    context = runtime.newContext();
    const ctx = context;
    const write = ctx.newFunction("write", (text) => void stdout.write(ctx.getString(text)));
    handles.push(write);
    const prelude = ctx.unwrapResult(ctx.evalCode(consolePrelude, "prelude.js", { type: "global" }));
    handles.push(prelude);
    ctx.unwrapResult(ctx.callFunction(prelude, ctx.undefined, write)).dispose();

    const evaluated = evaluate(ctx, code);
    // Reading an error needs a little memory, which a program that hit the limit left none of.
    const headroom = () => runtime!.setMemoryLimit(limits.memoryBytes + 4 * 1024 * 1024);
    if (evaluated.error) {
      headroom();
      return failure(ctx, evaluated.error, limits, handles, runtime);
    }
    handles.push(evaluated.value);
    let value = evaluated.value;
    // Promise callbacks run after the script, as in any JavaScript engine (still under the deadline).
    // Jobs catch the program's own errors, so an error here is a limit (time, memory) hit inside one.
    const jobs = runtime.executePendingJobs();
    if (jobs.error) {
      headroom();
      return failure(ctx, jobs.error, limits, handles, runtime);
    }
    jobs.dispose();
    if (timedOut)
      return {
        ok: false,
        error: formatProgramError({
          error: { name: "InternalError", message: "interrupted" },
          filename: FILENAME,
          timeoutMs: limits.timeoutMs,
          memoryBytes: limits.memoryBytes,
        }).text,
        limit: "time",
      };
    if (ctx.typeof(value) === "object" && isPromise(ctx, value)) {
      const state = ctx.getPromiseState(value);
      if (state.type === "pending")
        return {
          ok: false,
          error: "Error: the program's promise never settled (no timers or I/O exist in the sandbox)",
        };
      if (state.type === "rejected") {
        headroom();
        return failure(ctx, state.error, limits, handles, runtime);
      }
      handles.push(state.value);
      value = state.value;
    }
    // The result is described inside the VM under a fresh, short deadline of its own.
    deadline = Date.now() + 1000;
    timedOut = false;
    return { ok: true, ...describe(ctx, value, handles, limits.maxOutputChars) };
  } catch (error) {
    // A host stack overflow (deep recursion in native QuickJS code) or a wasm trap: the module's
    // state is unknown now, so it is replaced and nothing of it is touched again.
    discardQuickJSModule();
    runtime = undefined;
    context = undefined;
    const overflow = error instanceof RangeError && /call stack/i.test(error.message);
    return overflow
      ? {
          ok: false,
          error: "RangeError: maximum call stack size exceeded (the program recursed too deeply)",
          limit: "stack",
        }
      : { ok: false, error: `InternalError: the sandbox failed: ${(error as Error).message}` };
  } finally {
    dispose(handles, context, runtime);
  }
}

/** Global code, so the last expression is the result; code with a top-level `return` runs as a function body. */
function evaluate(
  ctx: QuickJSContext,
  code: string,
): { value: QuickJSHandle; error?: undefined } | { error: QuickJSHandle; value?: undefined } {
  const first = ctx.evalCode(code, FILENAME, { type: "global" });
  if (!first.error) return { value: first.value };
  const dumped = safeDump(ctx, first.error) as DumpedError;
  const syntax = typeof dumped === "object" && dumped?.name === "SyntaxError";
  const wantsFunction = syntax && (/\b(return|await)\b/.test(String(dumped.message)) || /\bawait\b/.test(code));
  if (!wantsFunction) return { error: first.error };
  first.error.dispose();
  // No newline after the opening line, so line numbers stay those of the program.
  const wrapped = ctx.evalCode(`(async function () {${code}\n})()`, FILENAME, { type: "global" });
  return wrapped.error ? { error: wrapped.error } : { value: wrapped.value };
}

function failure(
  ctx: QuickJSContext,
  errorHandle: QuickJSHandle,
  limits: Limits,
  handles: QuickJSHandle[],
  runtime: QuickJSRuntime,
): Outcome {
  handles.push(errorHandle);
  let error = readError(ctx, errorHandle, limits.maxOutputChars, handles);
  // With no memory left QuickJS cannot even build its "out of memory" error and throws null.
  if (error === null && memoryUsed(ctx, runtime) > limits.memoryBytes * 0.9)
    error = { name: "InternalError", message: "out of memory" };
  const { text, limit } = formatProgramError({
    error,
    filename: FILENAME,
    timeoutMs: limits.timeoutMs,
    memoryBytes: limits.memoryBytes,
  });
  return { ok: false, error: text, ...(limit ? { limit } : {}) };
}

/** The thrown value with its texts cut to `maxChars` inside the VM, so the host copies little. */
function readError(
  ctx: QuickJSContext,
  errorHandle: QuickJSHandle,
  maxChars: number,
  handles: QuickJSHandle[],
): DumpedError {
  const reader = ctx.evalCode(errorPrelude, "error.js", { type: "global" });
  if (reader.error) {
    handles.push(reader.error);
    return { name: "InternalError", message: "out of memory" };
  }
  handles.push(reader.value);
  const max = ctx.newNumber(maxChars);
  handles.push(max);
  const read = ctx.callFunction(reader.value, ctx.undefined, errorHandle, max);
  if (read.error) {
    handles.push(read.error);
    return { name: "Error", message: "an error that could not be read" };
  }
  handles.push(read.value);
  return safeDump(ctx, read.value) as DumpedError;
}

function memoryUsed(ctx: QuickJSContext, runtime: QuickJSRuntime): number {
  try {
    const usage = runtime.computeMemoryUsage();
    const used = (ctx.dump(usage) as { memory_used_size?: number }).memory_used_size ?? 0;
    usage.dispose();
    return used;
  } catch {
    return 0;
  }
}

function describe(
  ctx: QuickJSContext,
  value: QuickJSHandle,
  handles: QuickJSHandle[],
  maxChars: number,
): { result?: unknown; resultCut?: boolean } {
  const describer = ctx.evalCode(describePrelude, "describe.js", { type: "global" });
  if (describer.error) {
    handles.push(describer.error);
    return { result: "[the result could not be read]" };
  }
  handles.push(describer.value);
  const max = ctx.newNumber(maxChars);
  handles.push(max);
  const described = ctx.callFunction(describer.value, ctx.undefined, value, max);
  if (described.error) {
    handles.push(described.error);
    return { result: "[the result was too large to read]" };
  }
  handles.push(described.value);
  if (ctx.typeof(described.value) !== "string") return {};
  const parsed = JSON.parse(ctx.getString(described.value)) as { json?: string; text?: string; cut?: string };
  if (parsed.cut !== undefined)
    return { result: `${parsed.cut}\n[result truncated at ${maxChars} characters]`, resultCut: true };
  return { result: parsed.json !== undefined ? JSON.parse(parsed.json) : parsed.text };
}

function isPromise(ctx: QuickJSContext, value: QuickJSHandle): boolean {
  const state = ctx.getPromiseState(value);
  const notAPromise = state.type === "fulfilled" && state.notAPromise === true;
  if (state.type === "fulfilled" && !notAPromise) state.value.dispose();
  if (state.type === "rejected") state.error.dispose();
  return !notAPromise;
}

function safeDump(ctx: QuickJSContext, handle: QuickJSHandle): unknown {
  try {
    return ctx.dump(handle);
  } catch {
    return { name: "Error", message: "an error that could not be read" };
  }
}

function dispose(
  handles: QuickJSHandle[],
  context: QuickJSContext | undefined,
  runtime: QuickJSRuntime | undefined,
): void {
  if (!context || !runtime) return;
  try {
    for (const h of handles) if (h.alive) h.dispose();
    context.dispose();
    runtime.dispose();
  } catch {
    // QuickJS asserts when a runtime cannot be freed cleanly; drop the module rather than reuse it.
    discardQuickJSModule();
  }
}
