import { defaultChunkSize, type Chunk, type ChunkSize } from "./chunk.ts";
import { splitLines } from "./chunk-text.ts";
import { packLines, type LineBlock } from "./pack-lines.ts";
import { paragraphBlocks } from "./paragraph-blocks.ts";

const HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * Markdown: cut at ATX headings (`#` … `######`, not inside fenced code), then each section's
 * paragraphs packed into chunks. Chunks never span two sections, and each carries its heading path
 * ("Setup > Install") as context, so a passage deep in a section still says what it is about.
 */
export function chunkMarkdown(options: { text: string; size?: ChunkSize }): Chunk[] {
  const lines = splitLines(options.text);
  const size = options.size ?? defaultChunkSize;
  const fences = fencedRanges(lines);
  const inFence = (i: number) => fences.some((f) => i >= f.start && i < f.end);
  const headings: { line: number; level: number; title: string }[] = [];
  lines.forEach((line, i) => {
    const m = inFence(i) ? null : HEADING.exec(line);
    if (m) headings.push({ line: i, level: m[1]!.length, title: m[2]!.trim() });
  });

  const chunks: Chunk[] = [];
  const path: string[] = [];
  const sections = [{ line: 0, level: 0, title: "" }, ...headings];
  sections.forEach((section, k) => {
    if (section.level > 0) {
      path.length = section.level - 1;
      path[section.level - 1] = section.title;
    }
    const end = sections[k + 1]?.line ?? lines.length;
    if (end <= section.line) return;
    const context = path.filter(Boolean).join(" > ") || undefined;
    const blocks = paragraphBlocks({ lines, from: section.line, to: end, keep: fences });
    const packed = packLines({ lines, blocks, size, context });
    // A heading alone (its section's text was too big to join it) says nothing its context does not.
    chunks.push(
      ...(packed.length > 1 ? packed.filter((c) => !(c.startLine === c.endLine && HEADING.test(c.text))) : packed),
    );
  });
  return chunks;
}

/** Line ranges of fenced code blocks (an unclosed fence runs to the end). */
function fencedRanges(lines: readonly string[]): LineBlock[] {
  const ranges: LineBlock[] = [];
  let open: { start: number; marker: string } | undefined;
  lines.forEach((line, i) => {
    const m = FENCE.exec(line);
    if (!m) return;
    if (!open) open = { start: i, marker: m[1]! };
    else if (m[1]![0] === open.marker[0] && m[1]!.length >= open.marker.length && line.trim() === m[1]) {
      ranges.push({ start: open.start, end: i + 1 });
      open = undefined;
    }
  });
  if (open) ranges.push({ start: open.start, end: lines.length });
  return ranges;
}
