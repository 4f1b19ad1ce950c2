import { setMaxListeners } from "node:events";

/**
 * Calls linked to one signal at once before Node warns of a leak: a request's signal has one listener
 * per call in flight (removed when the call ends), and one request may run hundreds of calls.
 */
const MAX_LINKED = 1000;
const raised = new WeakSet<AbortSignal>();

/**
 * A signal that aborts with `parent` or by `abort()`, unlinked by `dispose()`. Not AbortSignal.any:
 * Node keeps a composite signal that has abort listeners alive until it aborts, and SDKs add
 * listeners they never remove, so every finished call stayed in memory.
 */
export function linkedSignal(parent: AbortSignal | undefined) {
  const controller = new AbortController();
  const onAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted) onAbort();
  else if (parent) {
    if (!raised.has(parent)) {
      setMaxListeners(MAX_LINKED, parent);
      raised.add(parent);
    }
    parent.addEventListener("abort", onAbort, { once: true });
  }
  return {
    signal: controller.signal,
    abort: () => controller.abort(),
    dispose: () => parent?.removeEventListener("abort", onAbort),
  };
}
