/**
 * A reader that closes the pipe early (`lmx trace | head`) is not a failure: on EPIPE the process ends
 * at once with status 0 and no stack trace. Other stream errors are rethrown.
 */
export function exitQuietlyOnEpipe(
  stream: NodeJS.WritableStream,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") exit(0);
    else throw error;
  });
}
