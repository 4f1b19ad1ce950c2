import type { SpanJSON } from "./span.ts";

export interface FormatTraceOptions {
  /** Also show each LM call's prompt (last message) and outputs, clipped to `width` characters. */
  details?: boolean;
  width?: number;
}

/**
 * A trace tree as terminal text: one line per span with its calls, tokens, cost and duration, its
 * events under it, and with `details` the prompt and outputs of every LM call.
 */
export function formatTraceTree(root: SpanJSON, options: FormatTraceOptions = {}): string {
  const lines: string[] = [];
  const width = options.width ?? 160;
  const visit = (span: SpanJSON, indent: string) => {
    const t = span.total;
    const figures = `${t.calls} calls, ${t.prompt_tokens}+${t.completion_tokens} tok, $${t.cost_usd.toFixed(6)}, ${span.duration_ms} ms`;
    const mark = span.status === "error" ? ` ERROR: ${span.error}` : span.attributes.cache_hit ? " (cached)" : "";
    lines.push(`${indent}${span.kind === "lm" ? "◦" : "▸"} ${span.name}  [${figures}]${mark}`);
    for (const event of span.events)
      lines.push(clip(`${indent}    · ${event.name} ${JSON.stringify(event.data)}`, width));
    // An eval question's root says how it was graded.
    if (options.details && "gold" in span.attributes)
      lines.push(
        clip(
          `${indent}    graded: ${span.attributes.correct ? "correct" : "wrong"} · answer ${JSON.stringify(span.attributes.answer ?? null)} · reference ${JSON.stringify(span.attributes.gold)}`,
          width,
        ),
      );
    if (options.details && span.kind === "lm") {
      const prompt = lastMessage(span.attributes.request);
      if (prompt) lines.push(clip(`${indent}    prompt: ${oneLine(prompt)}`, width));
      const outputs = Array.isArray(span.attributes.output) ? span.attributes.output : [];
      outputs.forEach((o, i) =>
        lines.push(clip(`${indent}    → ${outputs.length > 1 ? `[${i}] ` : ""}${oneLine(String(o))}`, width)),
      );
    }
    for (const child of span.children) visit(child, indent + "  ");
  };
  visit(root, "");
  return lines.join("\n") + "\n";
}

function lastMessage(request: unknown): string | undefined {
  const messages = (request as { messages?: { role: string; content: unknown }[] } | undefined)?.messages;
  const last = messages?.at(-1);
  if (!last) return undefined;
  const text = typeof last.content === "string" ? last.content : JSON.stringify(last.content);
  return `${last.role}: ${text}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
