import { LmxError } from "../core/errors/lmx-error.ts";

/** The store that instances share at request time (Redis) does not answer; the request is refused, not guessed. */
export class SharedStateUnavailableError extends LmxError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("shared_state_unavailable", message, options);
    this.name = "SharedStateUnavailableError";
  }

  static isInstance(error: unknown): error is SharedStateUnavailableError {
    return LmxError.isInstance(error) && error.code === "shared_state_unavailable";
  }
}
