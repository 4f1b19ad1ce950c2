import type { TraceStore } from "../../server/trace-store.ts";

/** A TraceStore that survives restarts (SQLite file or PostgreSQL), bounded by TraceStoreLimits. */
export interface PersistentTraceStore extends TraceStore {
  /** Where the traces are: the file's path, or the database's URL without its password. */
  readonly where: string;
  /** Ids starting with `prefix` (at most `limit`, newest first), so a user may type a short id. */
  idsStartingWith(prefix: string, limit?: number): Promise<string[]>;
  /** Deletes traces beyond maxBytes and maxAgeMs now (it also runs by itself in the background); returns how many. */
  prune(): Promise<number>;
  /** Bytes of trace data stored (what maxBytes bounds). */
  storedBytes(): Promise<number>;
  /** Stops the background pruning (running one still due) and lets go of the file. Closing twice is harmless. */
  close(): Promise<void>;
}

/**
 * Runs `prune` off the write path: soon after `wrote` has counted more than `slice` bytes, and every
 * `everyMs`. A failing prune is retried by the next trigger; it never throws into a request.
 */
export function pruneScheduler(prune: () => unknown, options: { slice: number; everyMs?: number; timer: boolean }) {
  let unpruned = 0;
  let scheduled: NodeJS.Immediate | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const soon = () => {
    scheduled ??= setImmediate(() => {
      scheduled = undefined;
      unpruned = 0;
      running = Promise.resolve()
        .then(prune)
        .catch(() => {});
    });
  };
  const timer = options.timer ? setInterval(soon, options.everyMs ?? 10 * 60_000) : undefined;
  timer?.unref();
  if (options.timer) soon();
  return {
    wrote(bytes: number) {
      unpruned += bytes;
      if (unpruned > options.slice) soon();
    },
    /**
     * Stops the timer; a prune still due runs now, so a short-lived writer keeps the store bounded too.
     * A failing prune is left to the next opener: closing never fails for it.
     */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      await running;
      if (scheduled) {
        clearImmediate(scheduled);
        scheduled = undefined;
        await Promise.resolve()
          .then(prune)
          .catch(() => {});
      }
    },
  };
}
