import type { SpanJSON } from "../../trace/span.ts";

/** Longer strings than these (in UTF-16 units) are cut when a trace is saved, in order, until the trace fits. */
const STEPS = [1, 1 / 64];

/**
 * A span tree as JSON text of at most about `maxTraceBytes`: strings longer than `maxFieldBytes`
 * (a prompt, a 4 MB body) keep their start and say how long they were; if the tree is still too big,
 * strings are cut shorter, and as a last resort only the root's summary is kept.
 */
export function traceJson(root: SpanJSON, limits: { maxFieldBytes: number; maxTraceBytes: number }): string {
  for (const step of STEPS) {
    const max = Math.max(64, Math.floor(limits.maxFieldBytes * step));
    let text: string;
    try {
      text = JSON.stringify(root, (_key, value) =>
        typeof value === "string" && value.length > max ? cut(value, max) : value,
      );
    } catch {
      break; // nested too deeply to serialise: keep the summary
    }
    if (Buffer.byteLength(text) <= limits.maxTraceBytes) return text;
  }
  const { children, attributes, events, ...summary } = root;
  return JSON.stringify({
    ...summary,
    attributes: { truncated: `the trace was too large to keep (${children.length} child spans)` },
    events: [],
    children: [],
  } satisfies SpanJSON);
}

function cut(value: string, max: number): string {
  return `${value.slice(0, max)}… [truncated: ${Buffer.byteLength(value)} bytes]`;
}

/** Whether a string read back from a saved trace was cut when it was saved (see traceJson). */
export function wasCut(value: string): boolean {
  return /… \[truncated: \d+ bytes\]$/.test(value);
}
