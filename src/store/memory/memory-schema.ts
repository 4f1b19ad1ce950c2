import type Database from "better-sqlite3";
import { createMetaTable, META_TABLE } from "../sqlite/store-meta.ts";

/** The layout this code writes (`user_version`). */
export const MEMORY_SCHEMA_VERSION = 1;
/** Full-text table: one row per lesson (rowid = lesson id). */
export const LESSON_TEXT_TABLE = "lesson_text";
/** sqlite-vec table of lesson vectors, made when the first vector is stored. */
export const LESSON_VECTOR_TABLE = "lesson_vec";

export function ownsMemoryTable(table: string): boolean {
  return (
    table === META_TABLE ||
    table === "lessons" ||
    table.startsWith(LESSON_TEXT_TABLE) ||
    table.startsWith(LESSON_VECTOR_TABLE)
  );
}

export function migrateMemory(db: Database.Database, fromVersion: number): void {
  if (fromVersion >= 1) return;
  createMetaTable(db);
  db.exec(`
    CREATE TABLE IF NOT EXISTS lessons (
      id INTEGER PRIMARY KEY,
      text TEXT NOT NULL,
      -- The same lesson (up to case and spacing) is stored once.
      text_key TEXT NOT NULL UNIQUE,
      question TEXT,
      tags TEXT NOT NULL DEFAULT '[]',
      source TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      uses INTEGER NOT NULL DEFAULT 0,
      last_used_at INTEGER
    );
    CREATE VIRTUAL TABLE IF NOT EXISTS ${LESSON_TEXT_TABLE} USING fts5(text, question, tags, tokenize = 'porter unicode61 remove_diacritics 2');
  `);
}
