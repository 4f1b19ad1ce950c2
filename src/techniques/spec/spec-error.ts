import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";

/**
 * An InvalidRequestError pointing into a spec: the message, then the spec's line with a caret under
 * `offset` (0-based), so the user sees where it went wrong.
 */
export function specError(options: {
  text: string;
  offset?: number;
  message: string;
  param?: string;
  cause?: unknown;
}): InvalidRequestError {
  const { text, offset, message } = options;
  let detail = message;
  if (offset !== undefined) {
    const at = Math.max(0, Math.min(offset, text.length));
    const lineStart = text.lastIndexOf("\n", at - 1) + 1;
    const lineEnd = text.indexOf("\n", at) === -1 ? text.length : text.indexOf("\n", at);
    const line = text.slice(lineStart, lineEnd);
    const lineNo = text.slice(0, lineStart).split("\n").length;
    const column = at - lineStart + 1;
    const where = lineNo > 1 ? `line ${lineNo}, column ${column}` : `column ${column}`;
    // Tabs keep their width in the caret line so the caret lines up in a terminal.
    const pad = line.slice(0, column - 1).replace(/[^\t]/g, " ");
    detail = `${message} (at ${where})\n  ${line}\n  ${pad}^`;
  }
  return new InvalidRequestError(detail, { param: options.param ?? "technique", cause: options.cause });
}
