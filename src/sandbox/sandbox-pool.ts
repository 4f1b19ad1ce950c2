import { availableParallelism } from "node:os";
import { AbortedError } from "../core/errors/aborted-error.ts";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import { mib } from "./format-program-error.ts";

/** Limits of the process-wide sandbox pool. */
export interface SandboxPoolOptions {
  /** Sandboxes running at once (default: the number of cores, at least 2). */
  maxConcurrent?: number;
  /** Memory the running sandboxes may reserve together, their limits plus each runtime's own (default 1 GiB). */
  maxMemoryBytes?: number;
  /** Runs waiting for a slot; more are refused at once (default 1000). */
  maxQueued?: number;
}

/** A slot's reservation, released when its run ends. */
export type ReleaseSlot = () => void;

interface Waiter {
  bytes: number;
  grant: (release: ReleaseSlot) => void;
}

/**
 * Admission for sandbox runs: at most `maxConcurrent` run at once and their reserved memory stays
 * under `maxMemoryBytes`; other runs queue in order of arrival. A queued run leaves the queue when
 * its signal fires (AbortedError) or its deadline passes (`undefined`: no slot in time).
 */
export class SandboxPool {
  readonly maxConcurrent: number;
  readonly maxMemoryBytes: number;
  readonly maxQueued: number;
  private running = 0;
  private reserved = 0;
  private readonly queue: Waiter[] = [];

  constructor(options: SandboxPoolOptions = {}) {
    this.maxConcurrent = positive("maxConcurrent", options.maxConcurrent ?? Math.max(2, availableParallelism()));
    this.maxMemoryBytes = positive("maxMemoryBytes", options.maxMemoryBytes ?? 1024 * 1024 * 1024);
    this.maxQueued = positive("maxQueued", options.maxQueued ?? 1000);
  }

  /** Runs in progress and queued, and memory reserved (for tests and metrics). */
  stats(): { running: number; queued: number; reservedBytes: number } {
    return { running: this.running, queued: this.queue.length, reservedBytes: this.reserved };
  }

  /**
   * Waits for a slot with `bytes` of memory. Resolves with its release function, or `undefined` when
   * `deadline` (a `Date.now()` time) passed first; rejects with AbortedError when `signal` fires.
   */
  acquire(options: { bytes: number; signal?: AbortSignal; deadline?: number }): Promise<ReleaseSlot | undefined> {
    const { bytes, signal, deadline } = options;
    if (signal?.aborted) return Promise.reject(new AbortedError());
    if (bytes > this.maxMemoryBytes)
      return Promise.reject(
        new InvalidRequestError(
          `a sandbox run needs ${mib(bytes)}, more than the ${mib(this.maxMemoryBytes)} all sandboxes may use together`,
          { param: "memory" },
        ),
      );
    if (this.queue.length === 0 && this.fits(bytes)) return Promise.resolve(this.take(bytes));
    if (this.queue.length >= this.maxQueued)
      return Promise.reject(new InvalidRequestError(`too many sandbox runs are waiting (${this.maxQueued})`));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { bytes, grant: (release) => done(() => resolve(release)) };
      const timer =
        deadline === undefined
          ? undefined
          : setTimeout(() => done(() => resolve(undefined), true), Math.max(0, deadline - Date.now()));
      const onAbort = () => done(() => reject(new AbortedError()), true);
      function done(settle: () => void, leave = false) {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (leave) pool.leave(waiter);
        settle();
      }
      const pool = this;
      signal?.addEventListener("abort", onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  private fits(bytes: number): boolean {
    return this.running < this.maxConcurrent && this.reserved + bytes <= this.maxMemoryBytes;
  }

  private take(bytes: number): ReleaseSlot {
    this.running++;
    this.reserved += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      this.reserved -= bytes;
      this.admit();
    };
  }

  private leave(waiter: Waiter): void {
    const i = this.queue.indexOf(waiter);
    if (i >= 0) this.queue.splice(i, 1);
    // A large run leaving the head may let smaller ones behind it start.
    this.admit();
  }

  /** Grants slots in arrival order; the head waits for room rather than being overtaken. */
  private admit(): void {
    while (this.queue.length > 0 && this.fits(this.queue[0]!.bytes)) {
      const waiter = this.queue.shift()!;
      waiter.grant(this.take(waiter.bytes));
    }
  }
}

let shared = new SandboxPool();

/** The process-wide pool every sandbox run goes through unless it names its own. */
export function sandboxPool(): SandboxPool {
  return shared;
}

/** Replaces the process-wide pool's limits (entry points call this with the operator's config). */
export function configureSandboxPool(options: SandboxPoolOptions): SandboxPool {
  shared = new SandboxPool(options);
  return shared;
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new InvalidRequestError(`sandbox pool ${name} must be a positive integer, got ${value}`, { param: name });
  return value;
}
