import { formatTraceTree } from "../trace/format-trace-tree.ts";
import type { Span } from "../trace/span.ts";

/** A trace tree in the terminal: one line per span with its calls, tokens, cost and latency. */
export function printTrace(span: Span, out: NodeJS.WritableStream): void {
  out.write(formatTraceTree(span.toJSON()));
}
