import { Worker } from "node:worker_threads";
import { AbortedError } from "../core/errors/aborted-error.ts";
import { mib } from "./format-program-error.ts";
import type { QuickJSOutcome, Limits } from "./run-quickjs.ts";

/** How long a new worker may take to load tsx and QuickJS (not part of any program's time limit). */
const READY_TIMEOUT_MS = 30_000;
/** Past its time limit a program gets this long to stop itself (with its output) before the thread is terminated. */
const TERMINATE_GRACE_MS = 250;
/** The worker thread's own V8 heap: the runner's code and the texts it copies out, never the program's heap. */
const WORKER_HEAP_MB = 96;

/**
 * The worker's code: compiled, the `.js` beside this file; from TypeScript sources (tests, tsx), an
 * entry that registers tsx first, since a worker does not inherit the main thread's loader.
 */
const ENTRY = import.meta.url.endsWith(".ts")
  ? new URL("./javascript-worker-entry.mjs", import.meta.url)
  : new URL("./javascript-worker.js", import.meta.url);

/**
 * Warm worker threads that run JavaScript programs (one at a time each, a fresh QuickJS runtime per
 * run), so the host's event loop never runs model code. Time limits are enforced from outside: a
 * run still going `TERMINATE_GRACE_MS` after its limit has its thread terminated. Up to `maxIdle`
 * workers are kept for the next runs; admission (how many run at once) is the SandboxPool's job.
 */
export class JavaScriptWorkers {
  private readonly idle: Worker[] = [];
  private readonly all = new Set<Worker>();
  private closing = false;

  constructor(private readonly maxIdle = 4) {}

  /** Workers alive (idle or running). */
  get size(): number {
    return this.all.size;
  }

  /** Starts workers until `count` are idle, so the next runs skip the start-up. */
  async warm(count: number): Promise<void> {
    const started = await Promise.all(
      Array.from({ length: Math.max(0, Math.min(count, this.maxIdle) - this.idle.length) }, () => this.spawn()),
    );
    for (const w of started) this.park(w);
  }

  /**
   * Runs `code` in a warm (or new) worker under `limits`, its time limit shortened to what is left
   * before `deadline` once the worker is ready; rejects only with AbortedError or a start-up failure.
   */
  async run(code: string, runLimits: Limits, signal?: AbortSignal, deadline?: number): Promise<QuickJSOutcome> {
    const worker = this.idle.pop() ?? (await this.spawn(signal));
    const limits =
      deadline === undefined
        ? runLimits
        : { ...runLimits, timeoutMs: Math.max(1, Math.min(runLimits.timeoutMs, Math.floor(deadline - Date.now()))) };
    worker.ref();
    return new Promise<QuickJSOutcome>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          finish(
            {
              ok: false,
              stdout: "",
              error: `TimeoutError: the program ran longer than ${limits.timeoutMs} ms and was stopped`,
              limit: "time",
            },
            false,
          ),
        limits.timeoutMs + TERMINATE_GRACE_MS,
      );
      const onMessage = (m: { type: string; outcome: QuickJSOutcome; retire: boolean }) =>
        m.type === "result" && finish(m.outcome, !m.retire);
      const onError = (error: Error & { code?: string }) =>
        finish(
          error.code === "ERR_WORKER_OUT_OF_MEMORY"
            ? {
                ok: false,
                stdout: "",
                error: `MemoryError: the program exceeded the ${mib(limits.memoryBytes)} memory limit`,
                limit: "memory",
              }
            : { ok: false, stdout: "", error: "InternalError: the sandbox stopped unexpectedly" },
          false,
        );
      const onExit = () =>
        finish({ ok: false, stdout: "", error: "InternalError: the sandbox stopped unexpectedly" }, false);
      const onAbort = () => finish(new AbortedError(), false);
      const finish = (outcome: QuickJSOutcome | AbortedError, keep: boolean) => {
        clearTimeout(timer);
        worker.off("message", onMessage).off("error", onError).off("exit", onExit);
        signal?.removeEventListener("abort", onAbort);
        if (keep) this.park(worker);
        else this.retire(worker);
        if (outcome instanceof AbortedError) reject(outcome);
        else resolve(outcome);
      };
      worker.on("message", onMessage).on("error", onError).on("exit", onExit);
      signal?.addEventListener("abort", onAbort, { once: true });
      worker.postMessage({ type: "run", code, limits });
    });
  }

  /** Terminates every worker (idle ones; running ones end with their runs). */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.all].map((w) => this.retire(w)));
    this.closing = false;
  }

  private park(worker: Worker): void {
    if (this.idle.length >= this.maxIdle) return void this.retire(worker);
    // An idle worker must not keep the process alive.
    worker.unref();
    this.idle.push(worker);
  }

  private retire(worker: Worker): Promise<number> {
    this.all.delete(worker);
    const i = this.idle.indexOf(worker);
    if (i >= 0) this.idle.splice(i, 1);
    const ended = worker.terminate();
    // A terminated worker (time limit, memory) is replaced in the background, so the next run finds one warm.
    if (!this.closing && this.idle.length === 0 && this.all.size < this.maxIdle)
      this.spawn().then(
        (w) => this.park(w),
        () => {},
      );
    return ended;
  }

  private spawn(signal?: AbortSignal): Promise<Worker> {
    // The host's own flags stay with the host: `--input-type` (node -e) or `--eval` make a worker file fail to start.
    const execArgv: string[] = [];
    const worker = new Worker(ENTRY, {
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: 16, stackSizeMb: 1 },
      env: {},
      execArgv,
    });
    this.all.add(worker);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => fail(new Error(`the JavaScript sandbox did not start within ${READY_TIMEOUT_MS} ms`)),
        READY_TIMEOUT_MS,
      );
      const onMessage = (m: { type: string }) => m.type === "ready" && done();
      const onError = (error: Error) => fail(new Error(`the JavaScript sandbox failed to start: ${error.message}`));
      const onExit = () => fail(new Error("the JavaScript sandbox failed to start"));
      const onAbort = () => fail(new AbortedError());
      const off = () => {
        clearTimeout(timer);
        worker.off("message", onMessage).off("error", onError).off("exit", onExit);
        signal?.removeEventListener("abort", onAbort);
      };
      const done = () => {
        off();
        resolve(worker);
      };
      const fail = (error: Error) => {
        off();
        void this.retire(worker);
        reject(error);
      };
      worker.on("message", onMessage).on("error", onError).on("exit", onExit);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}

/** The process-wide warm workers. */
export const javascriptWorkers = new JavaScriptWorkers();
