import { resolve, sep } from "node:path";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import type { RunContext } from "../../core/types.ts";
import type { Embedder } from "../../embeddings/embedder.ts";
import type { PgClient, PgDatabase } from "../postgres/pg-database.ts";
import { PgEmbeddings } from "../postgres/pg-embeddings.ts";
import { pgHybridRank } from "../postgres/pg-hybrid-rank.ts";
import { onceSucceeded } from "../postgres/once-succeeded.ts";
import { migrateOnce, type PgMigration } from "../postgres/pg-migrate.ts";
import { redactUrl } from "../../core/redact-url.ts";
import { queryTerms } from "../ranking/fts-query.ts";
import { defaultChunkSize, type ChunkSize } from "./chunk.ts";
import type { DocumentStore, IndexStats } from "./document-store.ts";
import { embeddingText, sourceTerms, type PreparedFile } from "./index-writer.ts";
import { searchHits, type ChunkDetail, type SearchHit, type SearchOptions } from "./index-search.ts";
import type { IndexedFile } from "./prepare-file.ts";
import { filesGone, GROUP_CHUNKS, syncFound, type AddResult } from "./sync-files.ts";
import { walkFiles } from "./walk-files.ts";

const LABEL = "document index";

const MIGRATIONS: PgMigration[] = [
  {
    version: 1,
    async up(client) {
      // Every named index is an `index_name` value in these tables; chunk words are searched with
      // PostgreSQL's own text search (English stems; text above context above source path).
      await client.query(`CREATE TABLE IF NOT EXISTS lmx_index_files (
        id BIGSERIAL PRIMARY KEY, index_name TEXT NOT NULL, path TEXT NOT NULL, size BIGINT NOT NULL,
        mtime_ms DOUBLE PRECISION NOT NULL, hash TEXT NOT NULL, kind TEXT NOT NULL, indexed_at BIGINT NOT NULL,
        UNIQUE (index_name, path))`);
      await client.query(`CREATE TABLE IF NOT EXISTS lmx_index_chunks (
        id BIGSERIAL PRIMARY KEY, file_id BIGINT NOT NULL REFERENCES lmx_index_files (id) ON DELETE CASCADE,
        ord INTEGER NOT NULL, start_line INTEGER NOT NULL, end_line INTEGER NOT NULL, text TEXT NOT NULL,
        context TEXT NOT NULL, source TEXT NOT NULL, embedding REAL[],
        tsv TSVECTOR GENERATED ALWAYS AS (
          setweight(to_tsvector('english', text), 'A') || setweight(to_tsvector('english', context), 'B') ||
          setweight(to_tsvector('english', source), 'C')) STORED)`);
      await client.query("CREATE INDEX IF NOT EXISTS lmx_index_chunks_file ON lmx_index_chunks (file_id)");
      await client.query("CREATE INDEX IF NOT EXISTS lmx_index_chunks_tsv ON lmx_index_chunks USING GIN (tsv)");
      await client.query(
        "CREATE TABLE IF NOT EXISTS lmx_index_meta (store TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (store, key))",
      );
    },
  },
];

export interface PgDocumentIndexOptions {
  /** The index's name (`retrieve(index=NAME)`); default "index". */
  name?: string;
  /** Makes the index hybrid (words + vectors); it must be the embedder the index was built with. */
  embedder?: Embedder;
  chunkSize?: ChunkSize;
  /** Larger files are skipped (default 5 MB). */
  maxFileBytes?: number;
}

/** Chunks of the index `$1`. */
const IN_INDEX = "file_id IN (SELECT id FROM lmx_index_files WHERE index_name = $1)";

/**
 * A document index in PostgreSQL, shared by every instance: the same files, chunks, line ranges and
 * re-indexing of what changed as the SQLite DocumentIndex, searched with PostgreSQL text search and,
 * with an embedder, REAL[] vectors fused by reciprocal rank (see document-index.contract.ts).
 */
export class PgDocumentIndex implements DocumentStore {
  readonly path: string;
  private readonly name: string;
  private readonly vectors: PgEmbeddings;
  /** Migrated, and the embedder checked against the one the store was built with. */
  private readonly ready: () => Promise<void>;
  private readonly chunkSize: ChunkSize;
  private readonly maxFileBytes: number;

  constructor(
    private readonly db: PgDatabase,
    options: PgDocumentIndexOptions = {},
  ) {
    this.name = options.name ?? "index";
    this.path = `${redactUrl(db.url)} (document index "${this.name}")`;
    this.chunkSize = options.chunkSize ?? defaultChunkSize;
    this.maxFileBytes = options.maxFileBytes ?? 5 * 1024 * 1024;
    this.vectors = new PgEmbeddings(db, {
      label: LABEL,
      what: `${LABEL} ${this.path}`,
      metaTable: "lmx_index_meta",
      store: this.name,
      embedder: options.embedder,
    });
    const migrated = migrateOnce(db, { component: "index", label: LABEL, migrations: MIGRATIONS });
    this.ready = onceSucceeded(async () => {
      await migrated();
      await this.vectors.check();
    });
  }

  private async rows<R extends object>(action: string, sql: string, params: unknown[]): Promise<R[]> {
    return (await this.db.query<R>(LABEL, action, sql, params)).rows;
  }

  async add(paths: readonly string[], options: { ctx?: RunContext } = {}): Promise<AddResult> {
    await this.ready();
    const built = (await this.vectors.builtWith()).id;
    if (built && !this.vectors.embedder)
      throw new ConfigurationError(
        `document index ${this.path} was built with embedder "${built}": pass the same embedder to add files (--embedder ${built})`,
      );
    const { files, skipped, unreadable } = await walkFiles({ paths, maxFileBytes: this.maxFileBytes });
    const result: AddResult = { added: 0, updated: 0, unchanged: 0, removed: 0, chunks: 0, skipped };
    const known = new Map(
      (
        await this.rows<IndexedFile & { path: string }>(
          "read the index",
          "SELECT id, path, size, mtime_ms, hash FROM lmx_index_files WHERE index_name = $1",
          [this.name],
        )
      ).map((r) => [r.path, { ...r, id: Number(r.id), size: Number(r.size), mtime_ms: Number(r.mtime_ms) }]),
    );
    const kept = await syncFound(files, this.chunkSize, result, {
      indexed: (path) => known.get(path),
      touch: async (id, size, mtimeMs) => {
        await this.rows("update the index", "UPDATE lmx_index_files SET size = $1, mtime_ms = $2 WHERE id = $3", [
          size,
          mtimeMs,
          id,
        ]);
      },
      writeGroup: (group) => this.writeGroup(group, options.ctx),
    });
    const gone = filesGone([...known.values()], paths, kept, unreadable);
    if (gone.length)
      await this.rows("remove files from the index", "DELETE FROM lmx_index_files WHERE id = ANY($1::bigint[])", [
        gone,
      ]);
    result.removed = gone.length;
    if (this.vectors.embedder) await this.backfill(options.ctx);
    return result;
  }

  /** Writes a group of changed files in one transaction, their chunks' vectors embedded first. */
  private async writeGroup(group: PreparedFile[], ctx: RunContext | undefined): Promise<number> {
    if (group.length === 0) return 0;
    const flat = this.vectors.embedder
      ? await this.vectors.embed(
          group.flatMap((f) => f.chunks.map(embeddingText)),
          ctx,
        )
      : [];
    return this.db.transaction(LABEL, "update the index", async (client) => {
      let written = 0;
      for (const file of group) {
        const fileId = await this.writeFile(client, file);
        const source = sourceTerms(file.path);
        for (const [ord, chunk] of file.chunks.entries()) {
          const vector = flat[written];
          await client.query(
            `INSERT INTO lmx_index_chunks (file_id, ord, start_line, end_line, text, context, source, embedding)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
            [
              fileId,
              ord,
              chunk.startLine,
              chunk.endLine,
              chunk.text,
              chunk.context ?? "",
              source,
              vector ? Array.from(vector) : null,
            ],
          );
          written++;
        }
      }
      if (flat[0]) await this.vectors.record(client, flat[0].length);
      return written;
    });
  }

  /** The file's row, its old chunks gone (upserted, so two instances adding one file keep one row). */
  private async writeFile(client: PgClient, file: PreparedFile): Promise<number> {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO lmx_index_files (index_name, path, size, mtime_ms, hash, kind, indexed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (index_name, path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, hash = excluded.hash,
         kind = excluded.kind, indexed_at = excluded.indexed_at RETURNING id`,
      [this.name, file.path, file.size, file.mtimeMs, file.hash, file.kind, Date.now()],
    );
    const id = Number(rows[0]!.id);
    await client.query("DELETE FROM lmx_index_chunks WHERE file_id = $1", [id]);
    return id;
  }

  /** Embeds chunks that have no vector yet, GROUP_CHUNKS at a time. */
  private async backfill(ctx: RunContext | undefined): Promise<void> {
    for (;;) {
      const batch = await this.rows<{ id: string; text: string; context: string }>(
        "read the index",
        `SELECT id, text, context FROM lmx_index_chunks WHERE ${IN_INDEX} AND embedding IS NULL ORDER BY id LIMIT $2`,
        [this.name, GROUP_CHUNKS],
      );
      if (batch.length === 0) return;
      const vectors = await this.vectors.embed(
        batch.map((r) => embeddingText({ text: r.text, context: r.context || undefined, startLine: 0, endLine: 0 })),
        ctx,
      );
      await this.db.transaction(LABEL, "update the index", async (client) => {
        for (const [k, row] of batch.entries())
          await client.query("UPDATE lmx_index_chunks SET embedding = $1 WHERE id = $2", [
            Array.from(vectors[k]!),
            row.id,
          ]);
        await this.vectors.record(client, vectors[0]!.length);
      });
    }
  }

  async remove(path: string): Promise<number> {
    await this.ready();
    const target = resolve(path);
    const rows = await this.rows(
      "remove files from the index",
      "DELETE FROM lmx_index_files WHERE index_name = $1 AND (path = $2 OR starts_with(path, $3)) RETURNING id",
      [this.name, target, target + sep],
    );
    return rows.length;
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    await this.ready();
    const { k = 4, mode = "auto", ctx } = options;
    const ranked = await pgHybridRank({
      db: this.db,
      vectors: this.vectors,
      label: LABEL,
      action: "search the index",
      table: "lmx_index_chunks",
      scope: IN_INDEX,
      scopeValue: this.name,
      query,
      terms: queryTerms(query),
      k,
      mode,
      ctx,
      ties: "id",
    });
    const details = new Map(
      (
        await this.rows<ChunkDetail & { id: string }>(
          "search the index",
          `SELECT c.id, f.path, c.start_line, c.end_line, c.text, c.context FROM lmx_index_chunks c
           JOIN lmx_index_files f ON f.id = c.file_id WHERE c.id = ANY($1::bigint[])`,
          [ranked.map((r) => r.id)],
        )
      ).map((r) => [Number(r.id), r]),
    );
    // A chunk deleted meanwhile by another instance is left out.
    return searchHits(ranked, (id) => details.get(id));
  }

  async stats(): Promise<IndexStats> {
    await this.ready();
    const [counts] = await this.rows<{ files: string; chunks: string }>(
      "read the index",
      `SELECT (SELECT count(*) FROM lmx_index_files WHERE index_name = $1) AS files,
              (SELECT count(*) FROM lmx_index_chunks WHERE ${IN_INDEX}) AS chunks`,
      [this.name],
    );
    const built = await this.vectors.builtWith();
    return {
      path: this.path,
      files: Number(counts!.files),
      chunks: Number(counts!.chunks),
      embedder: built.id,
      dimensions: built.dimensions,
    };
  }

  /** The database's connections belong to whoever opened it (openStores closes them). */
  async close(): Promise<void> {}
}
