import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import type { SandboxPool } from "./sandbox-pool.ts";

/** Which limit stopped a program, when one did. */
export type SandboxLimit = "time" | "memory" | "stack" | "output";

/** What running a program in a sandbox gives back. Errors are text the model can read, never host exceptions. */
export interface SandboxResult {
  /** The program ran to the end without an uncaught error. */
  ok: boolean;
  /** The program's result as JSON data: its last expression's value or what it returned (absent when undefined). */
  result?: unknown;
  /** Everything it printed (console.log / print), newline-separated, cut at the output limit. */
  stdout: string;
  /** `Name: message (line N)` when the program failed. */
  error?: string;
  /** Set when a sandbox limit stopped the program. */
  limit?: SandboxLimit;
  /** Wall time of the run in ms, start-up included. */
  durationMs: number;
}

/** Limits of one run. */
export interface SandboxOptions {
  /** Wall-clock limit for the program (default 2000 ms). */
  timeoutMs?: number;
  /** Memory the program may allocate (default 32 MiB). */
  memoryBytes?: number;
  /** JavaScript only: the interpreter's stack limit (default 384 KiB). */
  stackBytes?: number;
  /** Characters of output kept, for printed output and for the result's text each (default 65,536); more is dropped and marked. */
  maxOutputChars?: number;
  /** Stops the run at any time, queued or running (its process or worker thread is killed): an AbortedError. */
  signal?: AbortSignal;
  /**
   * A `Date.now()` time by which the run must be over, queue wait included (the request's time
   * budget): the time limit shrinks to what is left, and no slot in time is a `time` limit result.
   */
  deadline?: number;
  /** The pool the run is admitted through (default: the process-wide `sandboxPool()`). */
  pool?: SandboxPool;
}

type LimitOptions = Omit<SandboxOptions, "signal" | "deadline" | "pool">;

export const sandboxDefaults: Required<LimitOptions> = {
  timeoutMs: 2000,
  memoryBytes: 32 * 1024 * 1024,
  stackBytes: 384 * 1024,
  maxOutputChars: 65_536,
};

/** Collects printed lines up to a character limit. */
export class OutputBuffer {
  private readonly lines: string[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly maxChars: number) {}

  write(line: string): void {
    if (this.truncated) return;
    const room = this.maxChars - this.size;
    if (line.length + 1 > room) {
      this.lines.push(`${line.slice(0, Math.max(0, room))}\n[output truncated at ${this.maxChars} characters]`);
      this.truncated = true;
      return;
    }
    this.lines.push(line);
    this.size += line.length + 1;
  }

  text(): string {
    return this.lines.join("\n");
  }
}

/**
 * A program's result kept within `maxChars` of text, as its printed output is: a bigger value (a
 * 10-million-character string, say) would otherwise reach the model whole. A cut value becomes its
 * JSON text's start, marked.
 */
export function capResult(options: { result: unknown; maxChars: number }): { result: unknown; truncated: boolean } {
  const { result, maxChars } = options;
  const text = typeof result === "string" ? result : JSON.stringify(result);
  if (text === undefined || text.length <= maxChars) return { result, truncated: false };
  return { result: `${text.slice(0, maxChars)}\n[result truncated at ${maxChars} characters]`, truncated: true };
}

/** The limits of a run with defaults filled in; an InvalidRequestError for limits no program can run under. */
export function sandboxLimits(options: SandboxOptions): Required<LimitOptions> {
  const limits = { ...sandboxDefaults };
  for (const key of Object.keys(limits) as (keyof typeof limits)[])
    if (options[key] !== undefined) limits[key] = options[key]!;
  const minimum = { timeoutMs: 1, memoryBytes: 1024 * 1024, stackBytes: 64 * 1024, maxOutputChars: 0 };
  for (const key of Object.keys(minimum) as (keyof typeof minimum)[]) {
    const value = limits[key];
    if (!Number.isFinite(value) || value < minimum[key])
      throw new InvalidRequestError(`sandbox ${key} must be a number >= ${minimum[key]}, got ${value}`, { param: key });
  }
  return limits;
}
