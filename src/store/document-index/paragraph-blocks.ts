import type { LineBlock } from "./pack-lines.ts";

/**
 * Lines `[from, to)` cut into paragraphs: a block ends after a run of blank lines. Lines inside
 * `keep` ranges (fenced code) never start a new block, so a code sample stays whole.
 */
export function paragraphBlocks(options: {
  lines: readonly string[];
  from?: number;
  to?: number;
  keep?: readonly LineBlock[];
}): LineBlock[] {
  const { lines, from = 0, to = lines.length, keep = [] } = options;
  const kept = (i: number) => keep.some((r) => i > r.start && i < r.end);
  const blocks: LineBlock[] = [];
  let start = from;
  for (let i = from + 1; i < to; i++) {
    const startsParagraph = lines[i]!.trim() !== "" && lines[i - 1]!.trim() === "";
    if (startsParagraph && !kept(i)) {
      blocks.push({ start, end: i });
      start = i;
    }
  }
  if (start < to) blocks.push({ start, end: to });
  return blocks;
}
