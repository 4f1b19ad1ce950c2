import { ConfigurationError } from "../../core/errors/configuration-error.ts";

/**
 * An MCP server could not be started or used. The message names the server only; what came from the
 * host (its command line, the tail of its stderr) is in `detail`, for logs and the operator, since
 * messages can reach clients of `lmx serve` (and its traces) and stderr can hold anything.
 */
export class McpStartError extends ConfigurationError {
  readonly detail: string;

  constructor(options: { server: string; reason: string; detail: string; cause?: unknown }) {
    super(`MCP server "${options.server}" could not be used: ${options.reason}`, { cause: options.cause });
    this.name = "McpStartError";
    this.detail = options.detail;
  }
}
