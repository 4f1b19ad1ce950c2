import { LmxError } from "../core/errors/lmx-error.ts";

/** An evaluation run gave up: its first questions all failed the same way (a technique the model cannot serve, say). */
export class EvalRunError extends LmxError {
  readonly technique: string;

  constructor(options: { technique: string; failed: number; message: string; cause?: unknown }) {
    super(
      "eval_failed",
      `${options.technique}: the first ${options.failed} questions all failed, so the run stopped: ${options.message}`,
      { cause: options.cause },
    );
    this.name = "EvalRunError";
    this.technique = options.technique;
  }

  static isInstance(error: unknown): error is EvalRunError {
    return LmxError.isInstance(error) && error.code === "eval_failed";
  }
}
