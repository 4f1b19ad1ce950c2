/**
 * `fn` run once for every caller: they share its promise until it succeeds; a failure is forgotten,
 * so the next call tries again (the database may be back).
 */
export function onceSucceeded(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= fn().catch((error: unknown) => {
      done = undefined;
      throw error;
    });
    return done;
  };
}
