import type { Chunk, ChunkSize } from "./chunk.ts";

/** A run of lines `[start, end)` (0-based) that should stay together when it fits. */
export interface LineBlock {
  start: number;
  end: number;
  /** Set on the second and later parts of a block that was too big and got cut. */
  continues?: boolean;
}

export interface PackLinesOptions {
  lines: readonly string[];
  /** Consecutive, non-overlapping blocks in line order (paragraphs, sections, top-level definitions). */
  blocks: readonly LineBlock[];
  size: ChunkSize;
  context?: string;
  /**
   * "always" (prose): every chunk starts with the previous one's last lines. "cuts" (code, records):
   * only where a block had to be cut, since whole blocks are self-contained.
   */
  overlap?: "always" | "cuts";
}

/**
 * Packs blocks into chunks of at most `maxChars`: whole blocks while they fit; a block that is too
 * big alone is cut at its blank lines, then between lines, and a single overlong line into pieces.
 * Each chunk after the first starts with the last lines (up to `overlapChars`) of the one before,
 * so a sentence cut at a boundary is whole in one of them. Line numbers in chunks are 1-based.
 */
export function packLines(options: PackLinesOptions): Chunk[] {
  const { lines, size, context, overlap = "always" } = options;
  const chunks: Chunk[] = [];
  let start = -1;
  let end = -1;
  let chars = 0;

  const emit = () => {
    if (start < 0) return;
    const chunk = makeChunk(lines, start, end, context);
    if (chunk) chunks.push(chunk);
  };
  const add = (block: LineBlock) => {
    const blockChars = charsOf(lines, block.start, block.end);
    if (start >= 0 && charsOf(lines, start, block.end) <= size.maxChars) {
      end = block.end;
      chars = charsOf(lines, start, end);
      return;
    }
    const previousStart = start;
    const previousEnd = end;
    const hadChunk = start >= 0;
    emit();
    start = block.start;
    end = block.end;
    chars = blockChars;
    if (!hadChunk || (overlap === "cuts" && !block.continues)) return;
    // Overlap: pull in the previous chunk's last lines while they fit (never all of it).
    for (let i = previousEnd - 1; i > previousStart && i < block.start; i--) {
      const with_ = charsOf(lines, i, end);
      if (with_ - chars > size.overlapChars || with_ > size.maxChars) break;
      start = i;
    }
    chars = charsOf(lines, start, end);
  };

  for (const block of options.blocks) {
    for (const piece of fitBlock(lines, block, size.maxChars)) {
      if ("text" in piece) {
        emit();
        start = -1;
        chunks.push({ ...piece, context });
      } else add(piece);
    }
  }
  emit();
  return chunks;
}

/** A block cut into pieces of at most `max` characters: sub-blocks of lines, or text pieces of one overlong line. */
function fitBlock(lines: readonly string[], block: LineBlock, max: number): (LineBlock | Chunk)[] {
  if (charsOf(lines, block.start, block.end) <= max) return [block];
  const out: (LineBlock | Chunk)[] = [];
  const push = (piece: LineBlock | Chunk) =>
    out.push(out.length > 0 && !("text" in piece) ? { ...piece, continues: true } : piece);
  // Paragraph-sized parts first (split after blank lines), then single lines.
  let partStart = block.start;
  for (let i = block.start; i < block.end; i++) {
    const boundary = i === block.end - 1 || (lines[i]!.trim() === "" && lines[i + 1]?.trim() !== "");
    if (!boundary) continue;
    const part = { start: partStart, end: i + 1 };
    partStart = i + 1;
    if (charsOf(lines, part.start, part.end) <= max) push(part);
    else
      for (let j = part.start; j < part.end; j++) {
        if (lines[j]!.length <= max) push({ start: j, end: j + 1 });
        else for (const text of splitLongLine(lines[j]!, max)) push({ text, startLine: j + 1, endLine: j + 1 });
      }
  }
  return out;
}

/** Cuts one long line at spaces where possible, else anywhere. */
function splitLongLine(line: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = line;
  while (rest.length > max) {
    const space = rest.lastIndexOf(" ", max);
    const cut = space > max / 2 ? space : max;
    pieces.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trimStart();
  }
  if (rest.trim()) pieces.push(rest.trim());
  return pieces.filter(Boolean);
}

function charsOf(lines: readonly string[], start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) n += lines[i]!.length + 1;
  return Math.max(0, n - 1);
}

/** The chunk of lines `[start, end)` without leading and trailing blank lines; undefined when blank. */
function makeChunk(
  lines: readonly string[],
  start: number,
  end: number,
  context: string | undefined,
): Chunk | undefined {
  let s = start;
  let e = end;
  while (s < e && lines[s]!.trim() === "") s++;
  while (e > s && lines[e - 1]!.trim() === "") e--;
  if (s >= e) return undefined;
  return { text: lines.slice(s, e).join("\n"), startLine: s + 1, endLine: e, context };
}
