/**
 * A signal that aborts with `parent` or by `abort()`, unlinked by `dispose()`. Not AbortSignal.any:
 * Node keeps a composite signal that has abort listeners alive until it aborts, and SDKs add
 * listeners they never remove, so every finished call stayed in memory.
 */
export function linkedSignal(parent: AbortSignal | undefined) {
  const controller = new AbortController();
  const onAbort = () => controller.abort(parent?.reason);
  if (parent?.aborted) onAbort();
  else parent?.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    abort: () => controller.abort(),
    dispose: () => parent?.removeEventListener("abort", onAbort),
  };
}
