import { LmxError } from "./lmx-error.ts";

/** The caller aborted the run (signal fired, client disconnected). */
export class AbortedError extends LmxError {
  constructor(message = "the run was aborted", options: { cause?: unknown } = {}) {
    super("aborted", message, options);
    this.name = "AbortedError";
  }

  static isInstance(error: unknown): error is AbortedError {
    return LmxError.isInstance(error) && error.code === "aborted";
  }
}
