import { resolve, sep } from "node:path";
import type Database from "better-sqlite3";
import type { RunContext } from "../../core/types.ts";
import type { StoreVectors } from "../vectors/store-vectors.ts";
import type { ChunkSize } from "./chunk.ts";
import { embeddingText, type IndexWriter, type PreparedFile } from "./index-writer.ts";
import { prepareFile, type IndexedFile } from "./prepare-file.ts";
import { walkFiles, type FoundFile, type SkippedFile } from "./walk-files.ts";

export interface AddResult {
  /** New files indexed. */
  added: number;
  /** Indexed files whose content changed: their chunks were replaced. */
  updated: number;
  /** Indexed files whose content is the same: left as they are. */
  unchanged: number;
  /** Indexed files that are gone from the added folders (or became too big or binary). */
  removed: number;
  /** Chunks written. */
  chunks: number;
  skipped: SkippedFile[];
}

export interface SyncFilesOptions {
  db: Database.Database;
  writer: IndexWriter;
  vectors: StoreVectors;
  /** Files and folders to index. */
  paths: readonly string[];
  /** Files never to index (the index's own database, WAL and journal files). */
  exclude: ReadonlySet<string>;
  chunkSize: ChunkSize;
  maxFileBytes: number;
  ctx?: RunContext;
}

/** Chunks embedded per write: the embedding calls of a group run before its one transaction. */
export const GROUP_CHUNKS = 256;

/**
 * Brings an index up to date with the files under `paths`: new files are added, changed ones
 * replaced, unchanged ones skipped, and files gone from an added folder removed. With an embedder,
 * chunks still lacking vectors get them too.
 */
export async function syncFiles(options: SyncFilesOptions): Promise<AddResult> {
  const { db, writer, vectors, paths, ctx } = options;
  const { files, skipped, unreadable } = await walkFiles({
    paths,
    maxFileBytes: options.maxFileBytes,
    exclude: options.exclude,
  });
  const result: AddResult = { added: 0, updated: 0, unchanged: 0, removed: 0, chunks: 0, skipped };
  const known = db.prepare<[string], IndexedFile>("SELECT id, size, mtime_ms, hash FROM files WHERE path = ?");
  const kept = await syncFound(files, options.chunkSize, result, {
    indexed: (path) => known.get(path),
    touch: (id, size, mtimeMs) => writer.touch(id, size, mtimeMs),
    writeGroup: (group) => writeGroup(writer, vectors, group, ctx),
  });
  result.removed = removeMissing(db, writer, paths, kept, unreadable);
  if (vectors.embedder) await writer.backfill({ batch: GROUP_CHUNKS, ctx });
  return result;
}

/** Where the files a walk found are indexed: SQLite (syncFiles) or PostgreSQL (PgDocumentIndex). */
export interface SyncTarget {
  /** The file's row, when it is indexed. */
  indexed(path: string): IndexedFile | undefined;
  /** A file whose content is unchanged: its new size and time. */
  touch(id: number, size: number, mtimeMs: number): void | Promise<void>;
  /** Writes a group of changed files in one transaction (their vectors embedded first); the chunks written. */
  writeGroup(group: PreparedFile[]): Promise<number>;
}

/**
 * Indexes the new and changed files among `files`, GROUP_CHUNKS chunks to a write, counting them in
 * `result` (files that cannot be indexed go to its `skipped`). Returns the paths that stay indexed.
 */
export async function syncFound(
  files: readonly FoundFile[],
  size: ChunkSize,
  result: AddResult,
  target: SyncTarget,
): Promise<Set<string>> {
  const kept = new Set<string>();
  let group: PreparedFile[] = [];
  let groupChunks = 0;
  const flush = async () => {
    result.chunks += await target.writeGroup(group);
    group = [];
    groupChunks = 0;
  };
  for (const file of files) {
    const indexed = target.indexed(file.path);
    const step = await prepareFile({ file, indexed, size });
    if (step.kind === "skipped") {
      result.skipped.push({ path: file.path, reason: step.reason });
      continue;
    }
    kept.add(file.path);
    if (step.kind === "touched") await target.touch(step.id, file.size, file.mtimeMs);
    if (step.kind !== "changed") {
      result.unchanged++;
      continue;
    }
    group.push(step.file);
    if (indexed) result.updated++;
    else result.added++;
    groupChunks += step.file.chunks.length;
    if (groupChunks >= GROUP_CHUNKS) await flush();
  }
  await flush();
  return kept;
}

async function writeGroup(
  writer: IndexWriter,
  vectors: StoreVectors,
  group: PreparedFile[],
  ctx: RunContext | undefined,
): Promise<number> {
  if (group.length === 0) return 0;
  let embedded: Float32Array[][] | undefined;
  if (vectors.embedder) {
    const flat = await vectors.embed(
      group.flatMap((f) => f.chunks.map(embeddingText)),
      ctx,
    );
    let at = 0;
    embedded = group.map((f) => flat.slice(at, (at += f.chunks.length)));
  }
  return writer.write(group, embedded);
}

/**
 * Files under the added folders (or named directly) that are indexed but were not found now. What
 * sits under a path that could not be read (no permission, say) stays: it may well still be there.
 */
function removeMissing(
  db: Database.Database,
  writer: IndexWriter,
  paths: readonly string[],
  kept: ReadonlySet<string>,
  unreadable: readonly string[],
): number {
  const rows = db.prepare<[], { id: number; path: string }>("SELECT id, path FROM files").all();
  const gone = filesGone(rows, paths, kept, unreadable);
  if (gone.length) writer.remove(gone);
  return gone.length;
}

/**
 * Ids of indexed files under the added `paths` that were not found now (`kept` holds those that
 * were). What sits under a path that could not be read stays: it may well still be there.
 */
export function filesGone(
  rows: readonly { id: number; path: string }[],
  paths: readonly string[],
  kept: ReadonlySet<string>,
  unreadable: readonly string[],
): number[] {
  const within = (roots: readonly string[]) => (file: string) =>
    roots.some((root) => file === root || file.startsWith(root + sep));
  const under = within(paths.map((p) => resolve(p)));
  const unknown = within(unreadable);
  return rows.filter((r) => under(r.path) && !kept.has(r.path) && !unknown(r.path)).map((r) => r.id);
}
