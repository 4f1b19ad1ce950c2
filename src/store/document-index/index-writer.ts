import type Database from "better-sqlite3";
import type { RunContext } from "../../core/types.ts";
import type { StoreVectors } from "../vectors/store-vectors.ts";
import type { Chunk } from "./chunk.ts";
import type { DocumentKind } from "./chunk-file.ts";
import { TEXT_TABLE } from "./index-schema.ts";

/** A file read, hashed and chunked, ready to be written. */
export interface PreparedFile {
  path: string;
  size: number;
  mtimeMs: number;
  hash: string;
  kind: DocumentKind;
  chunks: Chunk[];
  /** The file's row when an older version is indexed. */
  existingId?: number;
}

/**
 * The statements that change an index. Writes are IMMEDIATE transactions: they take the write lock
 * up front (waiting up to the busy timeout), so two processes adding to one index queue instead of
 * failing on a stale read snapshot.
 */
export class IndexWriter {
  private readonly db: Database.Database;
  private readonly vectors: StoreVectors;
  private readonly statements;

  constructor(db: Database.Database, vectors: StoreVectors) {
    this.db = db;
    this.vectors = vectors;
    this.statements = {
      chunkIds: db.prepare<[number], number>("SELECT id FROM chunks WHERE file_id = ? ORDER BY ord").pluck(),
      deleteText: db.prepare<[number]>(`DELETE FROM ${TEXT_TABLE} WHERE rowid = ?`),
      deleteChunks: db.prepare<[number]>("DELETE FROM chunks WHERE file_id = ?"),
      deleteFile: db.prepare<[number]>("DELETE FROM files WHERE id = ?"),
      insertFile: db.prepare<[string, number, number, string, string, number]>(
        "INSERT INTO files (path, size, mtime_ms, hash, kind, indexed_at) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      updateFile: db.prepare<[number, number, string, string, number, number]>(
        "UPDATE files SET size = ?, mtime_ms = ?, hash = ?, kind = ?, indexed_at = ? WHERE id = ?",
      ),
      touchFile: db.prepare<[number, number, number]>("UPDATE files SET size = ?, mtime_ms = ? WHERE id = ?"),
      insertChunk: db.prepare<[number, number, number, number]>(
        "INSERT INTO chunks (file_id, ord, start_line, end_line) VALUES (?, ?, ?, ?)",
      ),
      insertText: db.prepare<[number, string, string, string]>(
        `INSERT INTO ${TEXT_TABLE} (rowid, text, context, source) VALUES (?, ?, ?, ?)`,
      ),
    };
  }

  /**
   * Writes prepared files (`vectors[i]` are the vectors of `files[i]`'s chunks, when embedding) in
   * one transaction: a changed file's old chunks, texts and vectors go, its new ones come, or none of it does.
   */
  write(files: readonly PreparedFile[], vectors?: readonly Float32Array[][]): number {
    let written = 0;
    this.guard(() =>
      this.db
        .transaction(() => {
          files.forEach((file, i) => {
            const now = Date.now();
            let fileId: number;
            if (file.existingId !== undefined) {
              this.dropChunks(file.existingId);
              this.statements.updateFile.run(file.size, file.mtimeMs, file.hash, file.kind, now, file.existingId);
              fileId = file.existingId;
            } else
              fileId = Number(
                this.statements.insertFile.run(file.path, file.size, file.mtimeMs, file.hash, file.kind, now)
                  .lastInsertRowid,
              );
            const source = sourceTerms(file.path);
            file.chunks.forEach((chunk, ord) => {
              const id = Number(
                this.statements.insertChunk.run(fileId, ord, chunk.startLine, chunk.endLine).lastInsertRowid,
              );
              this.statements.insertText.run(id, chunk.text, chunk.context ?? "", source);
              const vector = vectors?.[i]?.[ord];
              if (vector) this.vectors.write(id, vector);
              written++;
            });
          });
        })
        .immediate(),
    );
    return written;
  }

  /** Records a new mtime for a file whose content did not change. */
  touch(fileId: number, size: number, mtimeMs: number): void {
    this.statements.touchFile.run(size, mtimeMs, fileId);
  }

  /** Removes files (by row id) with their chunks, texts and vectors, in one transaction. */
  remove(fileIds: readonly number[]): void {
    this.db
      .transaction(() => {
        for (const id of fileIds) {
          this.dropChunks(id);
          this.statements.deleteFile.run(id);
        }
      })
      .immediate();
  }

  /** Embeds chunks that have no vector (indexed before an embedder was configured, or by an interrupted run). */
  async backfill(options: { batch: number; ctx?: RunContext }): Promise<void> {
    const ids = this.vectors.missing(this.db.prepare<[], number>("SELECT id FROM chunks ORDER BY id").pluck().all());
    const text = this.db.prepare<[number], { text: string; context: string }>(
      `SELECT text, context FROM ${TEXT_TABLE} WHERE rowid = ?`,
    );
    for (let i = 0; i < ids.length; i += options.batch) {
      const batch = ids.slice(i, i + options.batch);
      const vectors = await this.vectors.embed(
        batch.map((id) => {
          const row = text.get(id)!;
          return embeddingText({ text: row.text, context: row.context || undefined, startLine: 0, endLine: 0 });
        }),
        options.ctx,
      );
      this.guard(() =>
        this.db.transaction(() => batch.forEach((id, k) => this.vectors.write(id, vectors[k]!))).immediate(),
      );
    }
  }

  /** A failed transaction rolled back, perhaps with the vector table it created: forget cached state. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.vectors.reset();
      throw error;
    }
  }

  private dropChunks(fileId: number): void {
    const ids = this.statements.chunkIds.all(fileId);
    for (const id of ids) this.statements.deleteText.run(id);
    this.vectors.delete(ids);
    this.statements.deleteChunks.run(fileId);
  }
}

/** The last three segments of a path, so that a query naming a file or folder finds its chunks. */
export function sourceTerms(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).slice(-3).join("/");
}

/** The text embedded for a chunk: its context line, then its text. */
export function embeddingText(chunk: Chunk): string {
  return chunk.context ? `${chunk.context}\n${chunk.text}` : chunk.text;
}
