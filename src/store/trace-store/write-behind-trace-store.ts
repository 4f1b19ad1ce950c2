import type { TraceStore } from "../../server/trace-store.ts";

/**
 * Saves traces after the response has gone out: `add` only queues, and the queue is written
 * `delayMs` later (default 20) in one batch (`addAll` where the store has it), or before any read, so
 * a persistent store costs the request path nothing. At most `maxPending` traces wait (default 1000):
 * past that, while the store is slow or down, the oldest waiting trace is dropped and reported.
 */
export function writeBehindTraceStore(
  store: TraceStore,
  onError: (error: unknown) => void = () => {},
  options: { maxPending?: number; delayMs?: number } = {},
): TraceStore & { flush(): Promise<void> } {
  const maxPending = options.maxPending ?? 1000;
  const delayMs = options.delayMs ?? 20;
  let pending: Parameters<TraceStore["add"]>[0][] = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const write = async (batch: typeof pending) => {
    if (store.addAll && batch.length > 1)
      try {
        return await store.addAll(batch);
      } catch {
        // The batch was refused whole: each entry on its own, each failure reported.
      }
    for (const entry of batch) {
      try {
        await store.add(entry);
      } catch (error) {
        onError(error);
      }
    }
  };
  // Batches are written one after another, in order; flush() resolves once everything queued is written.
  const flush = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = [];
    writing = writing.then(() => write(batch));
    return writing;
  };
  return {
    async add(entry) {
      if (pending.length >= maxPending) {
        pending.shift();
        onError(new Error(`more than ${maxPending} traces waiting to be saved: the oldest was dropped`));
      }
      pending.push(entry);
      timer ??= setTimeout(() => void flush(), delayMs);
    },
    async get(id) {
      await flush();
      return store.get(id);
    },
    async list(options) {
      await flush();
      return store.list(options);
    },
    flush,
  };
}
