import { defaultChunkSize, type Chunk, type ChunkSize } from "./chunk.ts";
import { splitLines } from "./chunk-text.ts";
import { packLines, type LineBlock } from "./pack-lines.ts";

/** Lines that close a construct rather than open one (`}`, `)`, `end`, `</div>`). */
const CLOSER = /^(?:[}\])]|end\b|<\/)/;

/**
 * Source code: cut into top-level blocks (a block starts at an unindented line after a blank line,
 * which is where functions, classes and statements begin in nearly every language), packed into
 * chunks with their line ranges. Blank lines inside an indented body do not cut it, so a function
 * stays whole while it fits; a longer one is cut at its inner blank lines.
 */
export function chunkSource(options: { text: string; size?: ChunkSize }): Chunk[] {
  const lines = splitLines(options.text);
  return packLines({ lines, blocks: topLevelBlocks(lines), size: options.size ?? defaultChunkSize, overlap: "cuts" });
}

function topLevelBlocks(lines: readonly string[]): LineBlock[] {
  const blocks: LineBlock[] = [];
  let start = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const topLevel = line.trim() !== "" && !/^\s/.test(line) && !CLOSER.test(line);
    if (topLevel && lines[i - 1]!.trim() === "") {
      blocks.push({ start, end: i });
      start = i;
    }
  }
  if (start < lines.length) blocks.push({ start, end: lines.length });
  return blocks;
}
