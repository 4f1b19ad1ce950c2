import { defaultChunkSize, type Chunk, type ChunkSize } from "./chunk.ts";
import { packLines } from "./pack-lines.ts";
import { paragraphBlocks } from "./paragraph-blocks.ts";

/** Plain text: paragraphs (blank-line separated) packed into chunks, with line ranges. */
export function chunkText(options: { text: string; size?: ChunkSize }): Chunk[] {
  const lines = splitLines(options.text);
  return packLines({ lines, blocks: paragraphBlocks({ lines }), size: options.size ?? defaultChunkSize });
}

/** Lines of a text, whatever its line endings. */
export function splitLines(text: string): string[] {
  return text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
}
