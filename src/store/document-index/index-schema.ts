import type Database from "better-sqlite3";
import { createMetaTable, META_TABLE } from "../sqlite/store-meta.ts";

/** The layout this code writes (`user_version`). */
export const INDEX_SCHEMA_VERSION = 1;
/** Full-text table: one row per chunk (rowid = chunk id) with its text, context and source path. */
export const TEXT_TABLE = "chunk_text";
/** sqlite-vec table of chunk vectors (rowid = chunk id), made when the first vector is stored. */
export const VECTOR_TABLE = "chunk_vec";

/** Tables of a document index (FTS5 and vec0 keep shadow tables named after theirs). */
export function ownsIndexTable(table: string): boolean {
  return (
    table === META_TABLE ||
    table === "files" ||
    table === "chunks" ||
    table.startsWith(TEXT_TABLE) ||
    table.startsWith(VECTOR_TABLE)
  );
}

/** Creates the tables of a new index. */
export function migrateIndex(db: Database.Database, fromVersion: number): void {
  if (fromVersion >= 1) return;
  createMetaTable(db);
  db.exec(`
    CREATE TABLE IF NOT EXISTS files (
      id INTEGER PRIMARY KEY,
      path TEXT NOT NULL UNIQUE,
      size INTEGER NOT NULL,
      mtime_ms REAL NOT NULL,
      hash TEXT NOT NULL,
      kind TEXT NOT NULL,
      indexed_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS chunks (
      id INTEGER PRIMARY KEY,
      file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
      ord INTEGER NOT NULL,
      start_line INTEGER NOT NULL,
      end_line INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS chunks_by_file ON chunks(file_id);
    -- porter: "invoices" finds "invoice"; unicode61 with diacritics removed: "cafe" finds "café".
    CREATE VIRTUAL TABLE IF NOT EXISTS ${TEXT_TABLE} USING fts5(text, context, source, tokenize = 'porter unicode61 remove_diacritics 2');
  `);
}
