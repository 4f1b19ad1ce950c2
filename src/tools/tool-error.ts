import { LmxError } from "../core/errors/lmx-error.ts";

/**
 * A tool call failed in a way the model can fix: bad arguments, an unknown tool, an error the tool
 * reported. The tool loop sends the message back to the model as the tool's result.
 */
export class ToolError extends LmxError {
  readonly tool: string;

  constructor(options: { tool: string; message: string; cause?: unknown }) {
    super("tool_error", options.message, { cause: options.cause });
    this.name = "ToolError";
    this.tool = options.tool;
  }

  static isInstance(error: unknown): error is ToolError {
    return LmxError.isInstance(error) && error.code === "tool_error";
  }
}
