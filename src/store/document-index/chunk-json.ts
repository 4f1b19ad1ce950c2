import { defaultChunkSize, type Chunk, type ChunkSize } from "./chunk.ts";
import { chunkText, splitLines } from "./chunk-text.ts";
import { packLines } from "./pack-lines.ts";

/**
 * JSON: one record per chunk (each element of a top-level array, or each entry of a top-level
 * object), pretty-printed, with the line range the record has in the file. Records too big for
 * one chunk are cut between lines of their pretty form. Text that is not JSON is chunked as text.
 */
export function chunkJson(options: { text: string; size?: ChunkSize }): Chunk[] {
  const size = options.size ?? defaultChunkSize;
  const text = options.text.replace(/^\uFEFF/, "");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return chunkText({ text, size });
  }
  const lineAt = lineIndex(text);
  const spans = typeof value === "object" && value !== null ? topLevelSpans(text) : [];
  if (spans.length === 0) return recordChunks({ value, startLine: 1, endLine: lineAt(text.length), size });
  const isArray = Array.isArray(value);
  return spans.flatMap((span, i) => {
    const raw = text.slice(span.start, span.end);
    const record = isArray ? JSON.parse(raw) : JSON.parse(`{${raw}}`);
    const key = isArray ? undefined : Object.keys(record)[0];
    return recordChunks({
      value: record,
      startLine: lineAt(span.start),
      endLine: lineAt(span.end - 1),
      size,
      context: key ?? nameOf(record) ?? `[${i}]`,
    });
  });
}

/**
 * JSON Lines: one record per line, pretty-printed; a line that is not JSON is kept as it is.
 */
export function chunkJsonl(options: { text: string; size?: ChunkSize }): Chunk[] {
  const size = options.size ?? defaultChunkSize;
  return splitLines(options.text).flatMap((line, i) => {
    if (!line.trim()) return [];
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return recordChunks({ value: undefined, raw: line, startLine: i + 1, endLine: i + 1, size });
    }
    return recordChunks({ value, startLine: i + 1, endLine: i + 1, size, context: nameOf(value) });
  });
}

function recordChunks(o: {
  value: unknown;
  raw?: string;
  startLine: number;
  endLine: number;
  size: ChunkSize;
  context?: string;
}): Chunk[] {
  const pretty = o.raw ?? JSON.stringify(o.value, null, 2);
  if (pretty.length <= o.size.maxChars)
    return [{ text: pretty, startLine: o.startLine, endLine: o.endLine, context: o.context }];
  const lines = pretty.split("\n");
  // The pieces keep the record's line range in the file: their own lines exist only in the pretty form.
  return packLines({
    lines,
    blocks: lines.map((_, i) => ({ start: i, end: i + 1 })),
    size: { ...o.size, overlapChars: 0 },
    context: o.context,
  }).map((c) => ({
    ...c,
    startLine: o.startLine,
    endLine: o.endLine,
  }));
}

/** A record's own name, when it has one: its `title`, `name` or `id`. */
function nameOf(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  for (const key of ["title", "name", "id"])
    if (typeof v[key] === "string" || typeof v[key] === "number") return String(v[key]).slice(0, 120);
  return undefined;
}

/** Character ranges of the elements (or `"key": value` entries) of the top-level array or object of valid JSON. */
function topLevelSpans(text: string): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  let last = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      last = i;
      continue;
    }
    if (/\s/.test(c)) continue;
    if (depth === 1 && start < 0 && c !== "," && c !== "]" && c !== "}") start = i;
    if (c === '"') inString = true;
    else if (c === "[" || c === "{") depth++;
    else if (c === "]" || c === "}") depth--;
    if (depth === 0 || (depth === 1 && c === ",")) {
      if (start >= 0) spans.push({ start, end: last + 1 });
      start = -1;
    }
    last = i;
  }
  return spans;
}

/** Maps a character offset to its 1-based line. */
function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}
