import type Database from "better-sqlite3";

/** The key/value table every lmx store keeps its settings in (which embedder built it, ...). */
export const META_TABLE = "meta";

/** Creates the meta table (call from a store's migration). */
export function createMetaTable(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS ${META_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID`);
}

/** The value stored under `key`, or undefined. */
export function readMeta(db: Database.Database, key: string): string | undefined {
  return db.prepare<[string], string>(`SELECT value FROM ${META_TABLE} WHERE key = ?`).pluck().get(key);
}

export function writeMeta(db: Database.Database, key: string, value: string): void {
  db.prepare(
    `INSERT INTO ${META_TABLE} (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
  ).run(key, value);
}
