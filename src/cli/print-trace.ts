import type { Span } from "../trace/span.ts";

/** A trace tree in the terminal: one line per span with its calls, tokens, cost and latency. */
export function printTrace(span: Span, out: NodeJS.WritableStream, indent = ""): void {
  const t = span.total;
  const figures = `${t.calls} calls, ${t.prompt_tokens}+${t.completion_tokens} tok, $${t.cost_usd.toFixed(6)}, ${span.durationMs} ms`;
  const mark = span.status === "error" ? ` ERROR: ${span.error}` : span.attributes.cache_hit ? " (cached)" : "";
  out.write(`${indent}${span.kind === "lm" ? "◦" : "▸"} ${span.name}  [${figures}]${mark}\n`);
  for (const event of span.events) out.write(`${indent}    · ${event.name} ${JSON.stringify(event.data)}\n`);
  for (const child of span.children) printTrace(child, out, indent + "  ");
}
