import { LmxError } from "./lmx-error.ts";

/** The caller's request (or technique spec, or parameter) is wrong; `param` names the culprit. */
export class InvalidRequestError extends LmxError {
  readonly param?: string;

  constructor(message: string, options: { param?: string; cause?: unknown } = {}) {
    super("invalid_request", message, { cause: options.cause });
    this.name = "InvalidRequestError";
    this.param = options.param;
  }

  static isInstance(error: unknown): error is InvalidRequestError {
    return LmxError.isInstance(error) && error.code === "invalid_request";
  }
}
