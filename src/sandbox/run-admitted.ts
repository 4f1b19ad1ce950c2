import { sandboxPool, type SandboxPool } from "./sandbox-pool.ts";
import type { SandboxResult } from "./sandbox-result.ts";

type Outcome = Omit<SandboxResult, "durationMs">;

/**
 * One sandbox run through the pool: waits for a slot with `bytes` of memory (queued, abortable),
 * then runs with a time limit of `timeoutMs` or what is left before `deadline`, whichever is less,
 * so the queue wait counts against the caller's time budget. No slot in time is a time-limit result.
 */
export async function runAdmitted(options: {
  pool?: SandboxPool;
  bytes: number;
  timeoutMs: number;
  deadline?: number;
  signal?: AbortSignal;
  run: (timeoutMs: number) => Promise<Outcome>;
}): Promise<Outcome> {
  const { pool = sandboxPool(), bytes, timeoutMs, deadline, signal, run } = options;
  const release = await pool.acquire({ bytes, signal, deadline });
  if (!release) return noTime(timeoutMs, "no sandbox was free before the time budget ran out");
  try {
    const left = deadline === undefined ? timeoutMs : Math.min(timeoutMs, Math.floor(deadline - Date.now()));
    if (left < 1) return noTime(timeoutMs, "the time budget ran out before the program could start");
    return await run(left);
  } finally {
    release();
  }
}

function noTime(timeoutMs: number, why: string): Outcome {
  return { ok: false, stdout: "", error: `TimeoutError: ${why} (time limit ${timeoutMs} ms)`, limit: "time" };
}
