import { LmxError } from "./lmx-error.ts";

/** lmx is set up wrongly (missing key, unreadable config, model file not found, offline download). */
export class ConfigurationError extends LmxError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("configuration_error", message, options);
    this.name = "ConfigurationError";
  }

  static isInstance(error: unknown): error is ConfigurationError {
    return LmxError.isInstance(error) && error.code === "configuration_error";
  }
}
