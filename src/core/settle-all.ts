/**
 * Like Promise.all, but waits for every task before rethrowing the first failure, so that no call
 * is still running (and no span still open) when a budget stop or an abort ends the search.
 */
export async function settleAll<T>(tasks: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(tasks);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}
