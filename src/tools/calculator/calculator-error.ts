import { LmxError } from "../../core/errors/lmx-error.ts";

/** An expression the calculator cannot evaluate; `position` (0-based) points at the culprit. */
export class CalculatorError extends LmxError {
  readonly position: number;
  readonly expression: string;
  /** The problem alone, without the position and caret. */
  readonly reason: string;

  constructor(options: { reason: string; position: number; expression: string }) {
    const { reason, position, expression } = options;
    super("calculator_error", `${reason} at position ${position + 1}:\n  ${expression}\n  ${" ".repeat(position)}^`);
    this.name = "CalculatorError";
    this.position = position;
    this.expression = expression;
    this.reason = reason;
  }

  static isInstance(error: unknown): error is CalculatorError {
    return LmxError.isInstance(error) && error.code === "calculator_error";
  }
}
