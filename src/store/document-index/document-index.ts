import type { DocumentStore, IndexStats } from "./document-store.ts";
import { resolve, sep } from "node:path";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import type { RunContext } from "../../core/types.ts";
import type { Embedder } from "../../embeddings/embedder.ts";
import { openSqliteFile } from "../sqlite/open-sqlite-file.ts";
import type { SqliteFile } from "../sqlite/sqlite-file.ts";
import { StoreVectors } from "../vectors/store-vectors.ts";
import { defaultChunkSize, type ChunkSize } from "./chunk.ts";
import { INDEX_SCHEMA_VERSION, migrateIndex, ownsIndexTable, VECTOR_TABLE } from "./index-schema.ts";
import { IndexSearch, type SearchHit, type SearchOptions } from "./index-search.ts";
import { IndexWriter } from "./index-writer.ts";
import { syncFiles, type AddResult } from "./sync-files.ts";

export type { AddResult } from "./sync-files.ts";

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

export type { IndexStats } from "./document-store.ts";

const ELSEWHERE = "--index (or LMX_INDEX)";

/**
 * A searchable index of the user's documents in one SQLite file: text, Markdown, JSON/JSONL and
 * source files cut into ~1,200-character chunks with their line ranges, ranked by BM25 (FTS5), and
 * with an embedder also by vector similarity (sqlite-vec), fused by reciprocal rank. Adding a
 * folder again re-indexes only what changed (by size, mtime, then content hash).
 */
export class DocumentIndex implements DocumentStore {
  readonly path: string;
  private readonly file: SqliteFile;
  private readonly vectors: StoreVectors;
  private readonly writer: IndexWriter;
  private readonly searcher: IndexSearch;
  private readonly chunkSize: ChunkSize;
  private readonly maxFileBytes: number;

  private constructor(file: SqliteFile, options: DocumentIndexOptions) {
    const db = file.db;
    this.path = file.path;
    this.file = file;
    this.vectors = new StoreVectors({
      db,
      table: VECTOR_TABLE,
      what: `document index ${file.path}`,
      embedder: options.embedder,
    });
    this.writer = new IndexWriter(db, this.vectors);
    this.searcher = new IndexSearch(db, this.vectors);
    this.chunkSize = options.chunkSize ?? defaultChunkSize;
    this.maxFileBytes = options.maxFileBytes ?? 5 * 1024 * 1024;
  }

  /** Opens (or creates) an index file; refuses an embedder other than the one it was built with. */
  static open(options: DocumentIndexOptions): DocumentIndex {
    const file = openSqliteFile({
      path: options.path,
      label: "document index",
      elsewhere: ELSEWHERE,
      schemaVersion: INDEX_SCHEMA_VERSION,
      owns: ownsIndexTable,
      migrate: migrateIndex,
      missing: options.mustExist ? "Build it first with `lmx index add <path...>`." : undefined,
      busyTimeoutMs: options.busyTimeoutMs,
    });
    return file.build(() => new DocumentIndex(file, options));
  }

  /**
   * Indexes files and folders (recursively, skipping node_modules, .git, binary and oversized
   * files). New files are added, changed ones replaced, unchanged ones skipped; files gone from an
   * added folder are removed. With an embedder, chunks still lacking vectors get them too.
   */
  async add(paths: readonly string[], options: { ctx?: RunContext } = {}): Promise<AddResult> {
    try {
      const db = this.file.db;
      const built = this.vectors.builtWith().id;
      if (built && !this.vectors.embedder)
        throw new ConfigurationError(
          `document index ${this.path} was built with embedder "${built}": pass the same embedder to add files (--embedder ${built})`,
        );
      const exclude = new Set([this.path, `${this.path}-wal`, `${this.path}-shm`, `${this.path}-journal`]);
      return await syncFiles({
        db,
        writer: this.writer,
        vectors: this.vectors,
        paths,
        exclude,
        chunkSize: this.chunkSize,
        maxFileBytes: this.maxFileBytes,
        ctx: options.ctx,
      });
    } catch (error) {
      throw this.file.error(error, "update the index");
    }
  }

  /** Removes a file, or every file under a folder, from the index; returns how many files went. */
  remove(path: string): number {
    const target = resolve(path);
    const ids = this.file.run("read the index", (db) =>
      db
        .prepare<[string, string, string], number>("SELECT id FROM files WHERE path = ? OR (path > ? AND path < ?)")
        .pluck()
        .all(target, target + sep, target + String.fromCharCode(sep.charCodeAt(0) + 1)),
    );
    this.file.run("remove files from the index", () => this.writer.remove(ids));
    return ids.length;
  }

  /** The `k` best chunks for `query`: BM25, or hybrid BM25 + vectors when the index has them (see SearchOptions). */
  search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    this.file.db; // a ConfigurationError once closed
    return this.searcher.search(query, options).catch((error) => {
      throw this.file.error(error, "search the index");
    });
  }

  stats(): IndexStats {
    const db = this.file.db;
    const count = (table: string) => db.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get() ?? 0;
    const built = this.vectors.builtWith();
    return {
      path: this.path,
      files: count("files"),
      chunks: count("chunks"),
      embedder: built.id,
      dimensions: built.dimensions,
    };
  }

  /** Closes the file (merging the WAL back). Closing twice is harmless. */
  close(): void {
    this.file.close();
  }
}
