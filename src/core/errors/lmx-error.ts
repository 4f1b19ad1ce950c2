const marker = Symbol.for("lmx.error");

/** Base of every error lmx throws on purpose. `code` is stable and machine-readable. */
export class LmxError extends Error {
  readonly [marker] = true;
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LmxError";
    this.code = code;
  }

  static isInstance(error: unknown): error is LmxError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
