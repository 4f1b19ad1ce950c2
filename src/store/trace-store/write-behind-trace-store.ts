import type { TraceStore } from "../../server/trace-store.ts";

/**
 * Saves traces after the response has gone out: `add` only queues, and the queue is written on the
 * next turn of the event loop (or before any read), so a persistent store costs the request path
 * nothing. At most `maxPending` traces wait (default 1000): past that, while the store is slow or
 * down, the oldest waiting trace is dropped and reported.
 */
export function writeBehindTraceStore(
  store: TraceStore,
  onError: (error: unknown) => void = () => {},
  options: { maxPending?: number } = {},
): TraceStore & { flush(): Promise<void> } {
  const maxPending = options.maxPending ?? 1000;
  let pending: Parameters<TraceStore["add"]>[0][] = [];
  let scheduled = false;
  let writing: Promise<void> = Promise.resolve();
  const write = async (batch: typeof pending) => {
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
    scheduled = false;
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
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => void flush());
      }
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
