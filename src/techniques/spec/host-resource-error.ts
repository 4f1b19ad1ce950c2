import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";

const marker = Symbol.for("lmx.host-resource-error");

/** A request set an option only the operator may set; `param` is that option (e.g. `mcp_servers`). */
export class HostResourceError extends InvalidRequestError {
  readonly [marker] = true;

  constructor(message: string, options: { param: string; cause?: unknown }) {
    super(message, options);
    this.name = "HostResourceError";
  }

  static isInstance(error: unknown): error is HostResourceError {
    return InvalidRequestError.isInstance(error) && (error as unknown as Record<symbol, unknown>)[marker] === true;
  }
}
