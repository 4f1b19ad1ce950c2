import type { TraceStore } from "../../server/trace-store.ts";

/**
 * Saves traces after the response has gone out: `add` only queues, and the queue is written on the
 * next turn of the event loop (or before any read), so a persistent store costs the request path nothing.
 */
export function writeBehindTraceStore(
  store: TraceStore,
  onError: (error: unknown) => void = () => {},
): TraceStore & { flush(): void } {
  let pending: Parameters<TraceStore["add"]>[0][] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const batch = pending;
    pending = [];
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
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
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
