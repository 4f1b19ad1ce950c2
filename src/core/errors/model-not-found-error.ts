import { LmxError } from "./lmx-error.ts";

/** The request's `model` names no alias, no model spec lmx can resolve (answered 404 like OpenAI). */
export class ModelNotFoundError extends LmxError {
  readonly model: string;

  constructor(options: { model: string; message: string; cause?: unknown }) {
    super("model_not_found", options.message, { cause: options.cause });
    this.name = "ModelNotFoundError";
    this.model = options.model;
  }

  static isInstance(error: unknown): error is ModelNotFoundError {
    return LmxError.isInstance(error) && error.code === "model_not_found";
  }
}
