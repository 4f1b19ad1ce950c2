import { LmxError } from "./lmx-error.ts";

export type UpstreamFailure = "http" | "timeout" | "connection" | "malformed" | "aborted";

/** An upstream model server failed; carries its own status and message. */
export class UpstreamError extends LmxError {
  readonly provider: string;
  readonly status?: number;
  readonly failure: UpstreamFailure;
  /** Seconds the upstream asked us to wait (Retry-After), when it said. */
  readonly retryAfter?: number;
  readonly upstreamMessage: string;

  constructor(options: {
    provider: string;
    failure: UpstreamFailure;
    message: string;
    status?: number;
    retryAfter?: number;
    cause?: unknown;
  }) {
    const where = options.status
      ? `${options.provider} answered ${options.status}`
      : `${options.provider} ${options.failure}`;
    super("upstream_error", `${where}: ${options.message}`, { cause: options.cause });
    this.name = "UpstreamError";
    this.provider = options.provider;
    this.status = options.status;
    this.failure = options.failure;
    this.retryAfter = options.retryAfter;
    this.upstreamMessage = options.message;
  }

  /** 429, 5xx, 408, timeouts and dropped connections are worth another try. */
  get isRetryable(): boolean {
    if (this.failure === "timeout" || this.failure === "connection") return true;
    if (this.failure !== "http" || this.status === undefined) return false;
    return this.status === 408 || this.status === 409 || this.status === 429 || this.status >= 500;
  }

  static isInstance(error: unknown): error is UpstreamError {
    return LmxError.isInstance(error) && error.code === "upstream_error";
  }
}
