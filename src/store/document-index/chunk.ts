/** One passage of a document, as indexed and returned by search. */
export interface Chunk {
  text: string;
  /** First line of the passage in its file (1-based). */
  startLine: number;
  /** Last line (inclusive). */
  endLine: number;
  /** Where the passage sits: a Markdown heading path ("Setup > Install"), a JSON key or record name. */
  context?: string;
}

/** Chunk size limits: passages are packed up to `maxChars`, and consecutive ones share up to `overlapChars`. */
export interface ChunkSize {
  maxChars: number;
  overlapChars: number;
}

/** ~1,200 characters (about 300 tokens): big enough to hold an answer, small enough to rank sharply. */
export const defaultChunkSize: ChunkSize = { maxChars: 1200, overlapChars: 150 };
