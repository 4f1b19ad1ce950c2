import { spawn, type ChildProcess } from "node:child_process";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { AbortedError } from "../../core/errors/aborted-error.ts";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { mib } from "../format-program-error.ts";
import { runAdmitted } from "../run-admitted.ts";
import { capResult, sandboxLimits, type SandboxOptions, type SandboxResult } from "../sandbox-result.ts";
import { formatPythonError } from "./format-python-error.ts";

/** How long loading the interpreter may take (it is not part of the program's time limit). */
const LOAD_TIMEOUT_MS = 60_000;
/** What a Python run reserves in the pool beyond its memory limit: a loaded Pyodide process (~160 MB resident), with headroom. */
export const PYTHON_OVERHEAD_BYTES = 224 * 1024 * 1024;
/** The runner's V8 heap (Pyodide's JavaScript side and the texts it sends back), not the program's WebAssembly heap. */
const HEAP_MB = 256;

interface RunnerResult {
  type: "result";
  ok: boolean;
  result?: unknown;
  error?: string;
  errorType?: string;
  stdout: string;
  truncated: boolean;
}

/**
 * Runs model-written Python with Pyodide (CPython compiled to WebAssembly, loaded from node_modules,
 * no network) in a fresh, locked-down Node process per run: started with the permission model
 * (reads only of Pyodide's and the runner's files, no writes, no child processes), an empty
 * environment, network and process globals deleted and imports locked before the program runs.
 * The time limit kills the process, so an infinite loop never blocks the host. Memory: the
 * WebAssembly heap and any WebAssembly.Memory the program makes count against `memoryBytes`, and
 * the process has a data limit behind that (`pythonDataLimitBytes`). Runs are admitted through the
 * sandbox pool, so concurrent runs and their memory are capped. Loading Pyodide takes seconds; the
 * program's time limit starts once it is loaded, but `deadline` bounds the load too.
 */
export async function runPython(code: string, options: SandboxOptions = {}): Promise<SandboxResult> {
  if (options.signal?.aborted) throw new AbortedError();
  const limits = sandboxLimits(options);
  const started = performance.now();
  const outcome = await runAdmitted({
    pool: options.pool,
    bytes: limits.memoryBytes + PYTHON_OVERHEAD_BYTES,
    timeoutMs: limits.timeoutMs,
    deadline: options.deadline,
    signal: options.signal,
    run: (timeoutMs) => runInProcess(code, { ...limits, timeoutMs }, options.deadline, options.signal),
  });
  return { ...outcome, durationMs: Math.round((performance.now() - started) * 100) / 100 };
}

type Outcome = Omit<SandboxResult, "durationMs">;

async function runInProcess(
  code: string,
  limits: ReturnType<typeof sandboxLimits>,
  deadline: number | undefined,
  signal?: AbortSignal,
): Promise<Outcome> {
  const { memoryBytes, maxOutputChars } = limits;
  const left = () => (deadline === undefined ? Infinity : Math.floor(deadline - Date.now()));
  const child = spawnRunner(memoryBytes);
  try {
    // Loading is outside the program's time limit but inside the caller's deadline.
    const loaded = await waitFor(child, "ready", Math.min(LOAD_TIMEOUT_MS, left()), signal).catch((error: unknown) => {
      if (error instanceof TimeLimit && left() <= 0) return undefined;
      throw error;
    });
    if (!loaded)
      return {
        ok: false,
        stdout: "",
        error: `TimeoutError: the time budget ran out while the Python sandbox was starting (time limit ${limits.timeoutMs} ms)`,
        limit: "time",
      };
    const timeoutMs = Math.max(1, Math.min(limits.timeoutMs, left()));
    child.send({ code, memoryBytes, maxOutputChars });
    const reply = await waitFor(child, "result", timeoutMs, signal).catch((error: unknown) => {
      if (error instanceof TimeLimit || error instanceof ProcessEnded) return error;
      throw error;
    });
    if (reply instanceof TimeLimit)
      return {
        ok: false,
        stdout: "",
        error: `TimeoutError: the program ran longer than ${timeoutMs} ms and was stopped`,
        limit: "time",
      };
    // V8 aborts the process when an allocation fails at the data limit: the program's memory, not the host's fault.
    if (reply instanceof ProcessEnded)
      return reply.signal === "SIGABRT" || reply.signal === "SIGTRAP" || reply.signal === "SIGSEGV"
        ? {
            ok: false,
            stdout: "",
            error: `MemoryError: the program exceeded the ${mib(memoryBytes)} memory limit (the sandbox process ran out of memory)`,
            limit: "memory",
          }
        : { ok: false, stdout: "", error: "InternalError: the Python sandbox stopped unexpectedly" };
    const { result, truncated } = capResult({ result: reply.result, maxChars: maxOutputChars });
    const limit = (reply.truncated || truncated) && reply.ok ? ("output" as const) : undefined;
    if (reply.ok)
      return {
        ok: true,
        stdout: reply.stdout,
        ...(result !== undefined ? { result } : {}),
        ...(limit ? { limit } : {}),
      };
    if (reply.errorType === "MemoryError" || OUT_OF_MEMORY.test(reply.error ?? ""))
      return {
        ok: false,
        stdout: reply.stdout,
        error: `MemoryError: the program exceeded the ${mib(memoryBytes)} memory limit`,
        limit: "memory",
      };
    if (reply.errorType === "RangeError")
      return {
        ok: false,
        stdout: reply.stdout,
        error: "RecursionError: maximum call stack size exceeded (the program recursed too deeply)",
        limit: "stack",
      };
    const text = formatPythonError({ message: reply.error ?? "", type: reply.errorType });
    return {
      ok: false,
      stdout: reply.stdout,
      error: text,
      ...(reply.errorType === "RecursionError" ? { limit: "stack" as const } : {}),
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

/** JavaScript allocation failures reached through the FFI: the WebAssembly cap or the process's data limit. */
const OUT_OF_MEMORY =
  /RangeError: (sandbox memory limit|Array buffer allocation failed)|WebAssembly\.Memory\(\): could not allocate memory/;

class TimeLimit extends Error {}

class ProcessEnded extends Error {
  constructor(
    readonly signal: string | null,
    code: number | null,
  ) {
    super(`the Python sandbox process ended (${signal ?? `exit code ${code}`}) before it answered`);
  }
}

/**
 * The runner process's data limit (RLIMIT_DATA): Pyodide's own needs when loaded plus the program's
 * memory limit twice over (its WebAssembly heap, and JavaScript buffers it may reach through the FFI).
 * The outer wall behind the heap cap: `to_js(...).constructor.constructor` tricks and extra
 * `WebAssembly.Memory` objects fail to allocate past it instead of growing the host's memory.
 */
export function pythonDataLimitBytes(memoryBytes: number): number {
  return PYODIDE_BASE_BYTES + 2 * memoryBytes;
}

/** Writable memory a loaded Pyodide process maps before any program runs (measured ~250 MB), with headroom. */
const PYODIDE_BASE_BYTES = 448 * 1024 * 1024;

/** Pyodide is an optional dependency: without it, one line saying what to install. */
function resolvePyodide(): string {
  try {
    return import.meta.resolve("pyodide");
  } catch (error) {
    throw new ConfigurationError("the Python sandbox needs the optional package pyodide: npm install pyodide", {
      cause: error,
    });
  }
}

function spawnRunner(memoryBytes: number): ChildProcess {
  const runner = new URL("./pyodide-runner.mjs", import.meta.url);
  const hook = new URL("./import-lock-hook.mjs", import.meta.url);
  const pyodide = resolvePyodide();
  const ws = import.meta.resolve("ws", pyodide);
  const readable = [dirname(fileURLToPath(runner)), dirname(fileURLToPath(pyodide)), dirname(fileURLToPath(ws))];
  const major = Number(process.versions.node.split(".")[0]);
  // Not the parent's flags (a TypeScript loader, say): the permission model's, and a V8 heap cap.
  const args = [
    major >= 23 ? "--permission" : "--experimental-permission",
    "--allow-worker",
    ...readable.map((d) => `--allow-fs-read=${d}/*`),
    "--no-warnings",
    `--max-old-space-size=${HEAP_MB}`,
    fileURLToPath(runner),
    pyodide,
    hook.href,
  ];
  const options = { env: {}, stdio: ["ignore", "ignore", "ignore", "ipc"] as ("ignore" | "ipc")[] };
  if (process.platform === "win32") return spawn(process.execPath, args, options);
  // The shell sets the data limit, then becomes node (exec keeps the IPC descriptor and its variable).
  const kib = Math.ceil(pythonDataLimitBytes(memoryBytes) / 1024);
  return spawn("/bin/sh", ["-c", `ulimit -d ${kib} && exec "$0" "$@"`, process.execPath, ...args], options);
}

/** The runner's next message of `type`; a TimeLimit after `ms`, an error when the process dies first. */
function waitFor<T extends string>(
  child: ChildProcess,
  type: T,
  ms: number,
  signal?: AbortSignal,
): Promise<T extends "result" ? RunnerResult : { type: T }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new TimeLimit(`no ${type} within ${ms} ms`)), ms);
    const onMessage = (m: { type?: string }) => m?.type === type && done(undefined, m);
    const onExit = (code: number | null, sig: string | null) => done(new ProcessEnded(sig, code));
    const onError = (error: Error) => done(error);
    const onAbort = () => done(new AbortedError());
    function done(error?: Error, message?: unknown) {
      clearTimeout(timer);
      child.off("message", onMessage).off("exit", onExit).off("error", onError);
      signal?.removeEventListener("abort", onAbort);
      if (error) reject(error);
      else resolve(message as never);
    }
    child.on("message", onMessage).on("exit", onExit).on("error", onError);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
