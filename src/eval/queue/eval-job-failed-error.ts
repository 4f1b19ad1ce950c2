import { LmxError } from "../../core/errors/lmx-error.ts";

/** A queued question failed on a worker for good (a plan it cannot build, a fatal model error, retries used up). */
export class EvalJobFailedError extends LmxError {
  constructor(message: string) {
    super("eval_job_failed", message);
    this.name = "EvalJobFailedError";
  }

  static isInstance(error: unknown): error is EvalJobFailedError {
    return LmxError.isInstance(error) && error.code === "eval_job_failed";
  }
}
