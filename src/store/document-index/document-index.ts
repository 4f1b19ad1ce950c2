import { resolve, sep } from "node:path";
import type Database from "better-sqlite3";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import type { RunContext } from "../../core/types.ts";
import type { Embedder } from "../../embeddings/embedder.ts";
import { openSqliteFile } from "../sqlite/open-sqlite-file.ts";
import { sqliteFileError } from "../sqlite/sqlite-file-error.ts";
import { StoreVectors } from "../vectors/store-vectors.ts";
import { defaultChunkSize, type ChunkSize } from "./chunk.ts";
import { INDEX_SCHEMA_VERSION, migrateIndex, ownsIndexTable, VECTOR_TABLE } from "./index-schema.ts";
import { IndexSearch, type SearchHit, type SearchOptions } from "./index-search.ts";
import { embeddingText, IndexWriter, type PreparedFile } from "./index-writer.ts";
import { prepareFile, type IndexedFile } from "./prepare-file.ts";
import { walkFiles, type SkippedFile } from "./walk-files.ts";

export interface DocumentIndexOptions {
  /** The SQLite file (created with its folders unless `mustExist`). */
  path: string;
  /** Makes the index hybrid (BM25 + vectors); it must be the embedder the index was built with. */
  embedder?: Embedder;
  /** Fail with a ConfigurationError naming `lmx index add` instead of creating a missing file. */
  mustExist?: boolean;
  chunkSize?: ChunkSize;
  /** Larger files are skipped (default 5 MB). */
  maxFileBytes?: number;
  busyTimeoutMs?: number;
}

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

export interface IndexStats {
  path: string;
  files: number;
  chunks: number;
  /** The embedder the vectors were made with, if any. */
  embedder?: string;
  dimensions?: number;
}

/** Chunks embedded per write: the embedding calls of a group run before its one transaction. */
const GROUP_CHUNKS = 256;
const ELSEWHERE = "--index (or LMX_INDEX)";

/**
 * A searchable index of the user's documents in one SQLite file: text, Markdown, JSON/JSONL and
 * source files cut into ~1,200-character chunks with their line ranges, ranked by BM25 (FTS5), and
 * with an embedder also by vector similarity (sqlite-vec), fused by reciprocal rank. Adding a
 * folder again re-indexes only what changed (by size, mtime, then content hash).
 */
export class DocumentIndex {
  readonly path: string;
  private db: Database.Database | undefined;
  private readonly vectors: StoreVectors;
  private readonly writer: IndexWriter;
  private readonly searcher: IndexSearch;
  private readonly chunkSize: ChunkSize;
  private readonly maxFileBytes: number;

  private constructor(path: string, db: Database.Database, options: DocumentIndexOptions) {
    this.path = path;
    this.db = db;
    this.vectors = new StoreVectors({ db, table: VECTOR_TABLE, what: `document index ${path}`, embedder: options.embedder });
    this.writer = new IndexWriter(db, this.vectors);
    this.searcher = new IndexSearch(db, this.vectors);
    this.chunkSize = options.chunkSize ?? defaultChunkSize;
    this.maxFileBytes = options.maxFileBytes ?? 5 * 1024 * 1024;
  }

  /** Opens (or creates) an index file; refuses an embedder other than the one it was built with. */
  static open(options: DocumentIndexOptions): DocumentIndex {
    const path = resolve(options.path);
    const db = openSqliteFile({
      path,
      label: "document index",
      elsewhere: ELSEWHERE,
      schemaVersion: INDEX_SCHEMA_VERSION,
      owns: ownsIndexTable,
      migrate: migrateIndex,
      missing: options.mustExist ? "Build it first with `lmx index add <path...>`." : undefined,
      busyTimeoutMs: options.busyTimeoutMs,
    });
    try {
      return new DocumentIndex(path, db, options);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /**
   * Indexes files and folders (recursively, skipping node_modules, .git, binary and oversized
   * files). New files are added, changed ones replaced, unchanged ones skipped; files gone from an
   * added folder are removed. With an embedder, chunks still lacking vectors get them too.
   */
  async add(paths: readonly string[], options: { ctx?: RunContext } = {}): Promise<AddResult> {
    try {
      return await this.sync(paths, options.ctx);
    } catch (error) {
      throw sqliteFileError({ path: this.path, error, action: "update the index", label: "document index", elsewhere: ELSEWHERE });
    }
  }

  private async sync(paths: readonly string[], ctx: RunContext | undefined): Promise<AddResult> {
    const db = this.open();
    const built = this.vectors.builtWith().id;
    if (built && !this.vectors.embedder)
      throw new ConfigurationError(`document index ${this.path} was built with embedder "${built}": pass the same embedder to add files (--embedder ${built})`);
    const own = new Set([this.path, `${this.path}-wal`, `${this.path}-shm`, `${this.path}-journal`]);
    const { files, skipped } = await walkFiles({ paths, maxFileBytes: this.maxFileBytes, exclude: own });
    const result: AddResult = { added: 0, updated: 0, unchanged: 0, removed: 0, chunks: 0, skipped };
    const known = db.prepare<[string], IndexedFile>("SELECT id, size, mtime_ms, hash FROM files WHERE path = ?");
    const kept = new Set<string>();
    let group: PreparedFile[] = [];
    let groupChunks = 0;
    const flush = async () => {
      result.chunks += await this.writeGroup(group, ctx);
      group = [];
      groupChunks = 0;
    };

    for (const file of files) {
      const indexed = known.get(file.path);
      const step = await prepareFile({ file, indexed, size: this.chunkSize });
      if (step.kind === "skipped") {
        skipped.push({ path: file.path, reason: step.reason });
        continue;
      }
      kept.add(file.path);
      if (step.kind === "touched") this.writer.touch(step.id, file.size, file.mtimeMs);
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
    result.removed = this.removeMissing(paths, kept);
    if (this.vectors.embedder) await this.writer.backfill({ batch: GROUP_CHUNKS, ctx });
    return result;
  }

  /** Removes a file, or every file under a folder, from the index; returns how many files went. */
  remove(path: string): number {
    const target = resolve(path);
    const ids = this.run("read the index", () =>
      this.open()
        .prepare<[string, string, string], number>("SELECT id FROM files WHERE path = ? OR (path > ? AND path < ?)")
        .pluck()
        .all(target, target + sep, target + String.fromCharCode(sep.charCodeAt(0) + 1)),
    );
    this.run("remove files from the index", () => this.writer.remove(ids));
    return ids.length;
  }

  /** The `k` best chunks for `query`: BM25, or hybrid BM25 + vectors when the index has them (see SearchOptions). */
  search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    this.open();
    return this.searcher.search(query, options).catch((error) => {
      throw sqliteFileError({ path: this.path, error, action: "search the index", label: "document index", elsewhere: ELSEWHERE });
    });
  }

  stats(): IndexStats {
    const db = this.open();
    const count = (table: string) => db.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get() ?? 0;
    const built = this.vectors.builtWith();
    return { path: this.path, files: count("files"), chunks: count("chunks"), embedder: built.id, dimensions: built.dimensions };
  }

  /** Closes the file (merging the WAL back). Closing twice is harmless. */
  close(): void {
    this.db?.close();
    this.db = undefined;
  }

  private async writeGroup(group: PreparedFile[], ctx: RunContext | undefined): Promise<number> {
    if (group.length === 0) return 0;
    let vectors: Float32Array[][] | undefined;
    if (this.vectors.embedder) {
      const flat = await this.vectors.embed(group.flatMap((f) => f.chunks.map(embeddingText)), ctx);
      let at = 0;
      vectors = group.map((f) => flat.slice(at, (at += f.chunks.length)));
    }
    return this.writer.write(group, vectors);
  }

  /** Files under the added folders (or named directly) that are indexed but were not found now. */
  private removeMissing(paths: readonly string[], kept: ReadonlySet<string>): number {
    const rows = this.open().prepare<[], { id: number; path: string }>("SELECT id, path FROM files").all();
    const roots = paths.map((p) => resolve(p));
    const under = (file: string) => roots.some((root) => file === root || file.startsWith(root + sep));
    const gone = rows.filter((r) => under(r.path) && !kept.has(r.path)).map((r) => r.id);
    if (gone.length) this.writer.remove(gone);
    return gone.length;
  }

  private open(): Database.Database {
    if (!this.db) throw new ConfigurationError(`document index ${this.path} was used after close()`);
    return this.db;
  }

  private run<T>(action: string, fn: () => T): T {
    this.open();
    try {
      return fn();
    } catch (error) {
      throw sqliteFileError({ path: this.path, error, action, label: "document index", elsewhere: ELSEWHERE });
    }
  }
}
