import { fork, type ChildProcess } from "node:child_process";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { AbortedError } from "../../core/errors/aborted-error.ts";
import { mib } from "../format-program-error.ts";
import { capResult, sandboxLimits, type SandboxOptions, type SandboxResult } from "../sandbox-result.ts";
import { formatPythonError } from "./format-python-error.ts";

/** How long loading the interpreter may take (it is not part of the program's time limit). */
const LOAD_TIMEOUT_MS = 60_000;

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
 * The time limit kills the process, so an infinite loop never blocks the host. Loading Pyodide
 * takes seconds; the program's time limit starts once it is loaded.
 */
export async function runPython(code: string, options: SandboxOptions = {}): Promise<SandboxResult> {
  if (options.signal?.aborted) throw new AbortedError();
  const { timeoutMs, memoryBytes, maxOutputChars } = sandboxLimits(options);
  const started = performance.now();
  const child = spawnRunner();
  const finish = (r: Omit<SandboxResult, "durationMs">): SandboxResult => ({ ...r, durationMs: Math.round((performance.now() - started) * 100) / 100 });
  try {
    await waitFor(child, "ready", LOAD_TIMEOUT_MS, options.signal);
    child.send({ code, memoryBytes, maxOutputChars });
    const reply = await waitFor(child, "result", timeoutMs, options.signal).catch((error: unknown) => {
      if (error instanceof TimeLimit) return undefined;
      throw error;
    });
    if (!reply) return finish({ ok: false, stdout: "", error: `TimeoutError: the program ran longer than ${timeoutMs} ms and was stopped`, limit: "time" });
    const { result, truncated } = capResult({ result: reply.result, maxChars: maxOutputChars });
    const limit = (reply.truncated || truncated) && reply.ok ? ("output" as const) : undefined;
    if (reply.ok) return finish({ ok: true, stdout: reply.stdout, ...(result !== undefined ? { result } : {}), ...(limit ? { limit } : {}) });
    if (reply.errorType === "MemoryError")
      return finish({ ok: false, stdout: reply.stdout, error: `MemoryError: the program exceeded the ${mib(memoryBytes)} memory limit`, limit: "memory" });
    if (reply.errorType === "RangeError")
      return finish({ ok: false, stdout: reply.stdout, error: "RecursionError: maximum call stack size exceeded (the program recursed too deeply)", limit: "stack" });
    const text = formatPythonError({ message: reply.error ?? "", type: reply.errorType });
    return finish({ ok: false, stdout: reply.stdout, error: text, ...(reply.errorType === "RecursionError" ? { limit: "stack" as const } : {}) });
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

class TimeLimit extends Error {}

function spawnRunner(): ChildProcess {
  const runner = new URL("./pyodide-runner.mjs", import.meta.url);
  const hook = new URL("./import-lock-hook.mjs", import.meta.url);
  const pyodide = import.meta.resolve("pyodide");
  const ws = import.meta.resolve("ws", pyodide);
  const readable = [dirname(fileURLToPath(runner)), dirname(fileURLToPath(pyodide)), dirname(fileURLToPath(ws))];
  const major = Number(process.versions.node.split(".")[0]);
  return fork(fileURLToPath(runner), [pyodide, hook.href], {
    env: {},
    // Replaces the parent's flags (a TypeScript loader, say) with the permission model's.
    execArgv: [major >= 23 ? "--permission" : "--experimental-permission", "--allow-worker", ...readable.map((d) => `--allow-fs-read=${d}/*`), "--no-warnings"],
    stdio: ["ignore", "ignore", "ignore", "ipc"],
  });
}

/** The runner's next message of `type`; a TimeLimit after `ms`, an error when the process dies first. */
function waitFor<T extends string>(child: ChildProcess, type: T, ms: number, signal?: AbortSignal): Promise<T extends "result" ? RunnerResult : { type: T }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new TimeLimit(`no ${type} within ${ms} ms`)), ms);
    const onMessage = (m: { type?: string }) => m?.type === type && done(undefined, m);
    const onExit = (code: number | null, sig: string | null) => done(new Error(`the Python sandbox process ended (${sig ?? `exit code ${code}`}) before it answered`));
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
