import type { TraceEntry, TraceStore } from "../../server/trace-store.ts";

/**
 * Saves traces after the response has gone out: `add` only queues, and the queue is written `delayMs`
 * later (default 20), at `maxPending` entries (default 256), or before any read, so a persistent store
 * costs the request path nothing and writes in batches (one SQLite commit costs several inserts).
 */
export function writeBehindTraceStore(
  store: TraceStore & { addAll?: (entries: TraceEntry[]) => void },
  onError: (error: unknown) => void = () => {},
  options: { delayMs?: number; maxPending?: number } = {},
): TraceStore & { flush(): void } {
  const { delayMs = 20, maxPending = 256 } = options;
  let pending: Parameters<TraceStore["add"]>[0][] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    // A store that saves a batch at once does (one commit instead of one per trace); if that fails, each on its own.
    if (store.addAll && batch.length > 1)
      try {
        return store.addAll(batch);
      } catch {
        // fall through: the entries one by one, each failure reported
      }
    for (const entry of batch) {
      try {
        store.add(entry);
      } catch (error) {
        onError(error);
      }
    }
  };
  return {
    add(entry) {
      pending.push(entry);
      if (pending.length >= maxPending) flush();
      else timer ??= setTimeout(flush, delayMs);
    },
    get(id) {
      flush();
      return store.get(id);
    },
    list(options) {
      flush();
      return store.list(options);
    },
    flush,
  };
}
