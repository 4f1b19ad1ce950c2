// Exit codes tell bad usage (2: the command line or a spec is wrong) from a failure of the run (1). An invalid
// request raised while the model runs (e.g. best-of-n(judge=logprob) on a model without logprobs) is a failure
// of the run, though the same error while parsing is bad usage; commands mark their run stage with this.
const failures = new WeakSet<object>();

/** Runs a command's model stage: whatever error it raises counts as a run-time failure (exit 1). */
export async function asRunStage<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (typeof error === "object" && error !== null) failures.add(error);
    throw error;
  }
}

/** Whether `error` was raised by a run stage (see asRunStage). */
export function isRunFailure(error: unknown): boolean {
  return typeof error === "object" && error !== null && failures.has(error);
}
