import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { ChunkSize } from "./chunk.ts";
import { chunkFile, documentKind } from "./chunk-file.ts";
import type { PreparedFile } from "./index-writer.ts";
import { looksBinary, type FoundFile } from "./walk-files.ts";

/** What the index holds for a file. */
export interface IndexedFile {
  id: number;
  size: number;
  mtime_ms: number;
  hash: string;
}

export type Preparation =
  /** Size and mtime match the index: not even read. */
  | { kind: "unchanged" }
  /** Read and hashed: same content, only its mtime moved. */
  | { kind: "touched"; id: number }
  | { kind: "skipped"; reason: string }
  | { kind: "changed"; file: PreparedFile };

/** Decides what adding `file` means for the index (see Preparation), reading it only when needed. */
export async function prepareFile(options: {
  file: FoundFile;
  indexed?: IndexedFile;
  size: ChunkSize;
}): Promise<Preparation> {
  const { file, indexed, size } = options;
  if (indexed && indexed.size === file.size && indexed.mtime_ms === file.mtimeMs) return { kind: "unchanged" };
  let content: Buffer;
  try {
    content = await readFile(file.path);
  } catch (error) {
    // Deleted or locked since the folder was walked.
    return {
      kind: "skipped",
      reason: `unreadable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    };
  }
  if (looksBinary(content)) return { kind: "skipped", reason: "binary content" };
  const hash = createHash("sha256").update(content).digest("hex");
  if (indexed && indexed.hash === hash) return { kind: "touched", id: indexed.id };
  const chunks = chunkFile({ path: file.path, text: content.toString("utf8"), size });
  return { kind: "changed", file: { ...file, hash, kind: documentKind(file.path), chunks, existingId: indexed?.id } };
}
