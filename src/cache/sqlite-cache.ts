import { join, resolve } from "node:path";
import { lmxDirs } from "../store/lmx-dirs.ts";
import type Database from "better-sqlite3";
import { openSqliteFile } from "../store/sqlite/open-sqlite-file.ts";
import type { SqliteFile } from "../store/sqlite/sqlite-file.ts";
import { parseCachedSample, type CacheStore, type CachedSample } from "./response-cache.ts";

/** The layout this code writes; a file with a higher `user_version` was made by a newer lmx. */
export const CACHE_SCHEMA_VERSION = 1;
const TABLE = "responses";

export interface SqliteCacheOptions {
  /** The cache file; its parent folders are created. `:memory:` keeps the cache in memory. */
  path: string;
  /** How long a call waits for another process's lock before giving up (default 5000 ms). */
  busyTimeoutMs?: number;
}

export interface CacheStats {
  path: string;
  entries: number;
  /** Size of the database pages (excluding an unmerged WAL). */
  bytes: number;
}

/**
 * The cache file lmx uses when none is given: `$LMX_CACHE`, else `cache.sqlite` in the cache folder (see lmxDirs).
 */
export function defaultCachePath(options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): string {
  const { env = process.env, cwd = process.cwd() } = options;
  return env.LMX_CACHE ? resolve(cwd, env.LMX_CACHE) : join(lmxDirs({ env }).cache, "cache.sqlite");
}

/**
 * A response cache in one SQLite file (WAL mode, so several lmx processes can share it). Every
 * SQLite failure (a lock held past the busy timeout, a file that is not a database or is corrupt)
 * becomes a ConfigurationError naming the file; the file itself is never deleted or rewritten.
 */
export class SqliteCache implements CacheStore {
  readonly path: string;
  private readonly file: SqliteFile;
  private readonly getStatement: Database.Statement<[string], string>;
  private readonly setStatement: Database.Statement<[string, string, number]>;
  private readonly countStatement: Database.Statement<[], number>;

  private constructor(file: SqliteFile) {
    const db = file.db;
    this.path = file.path;
    this.file = file;
    this.getStatement = db.prepare<[string], string>(`SELECT value FROM ${TABLE} WHERE key = ?`).pluck();
    this.setStatement = db.prepare<[string, string, number]>(
      `INSERT INTO ${TABLE} (key, value, created_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, created_at = excluded.created_at`,
    );
    this.countStatement = db.prepare<[], number>(`SELECT count(*) FROM ${TABLE}`).pluck();
  }

  /** Opens (or creates) the cache file and checks its schema version. */
  static open(options: SqliteCacheOptions): SqliteCache {
    const file = openSqliteFile({
      path: options.path,
      label: "response cache",
      elsewhere: "LMX_CACHE (or --cache)",
      schemaVersion: CACHE_SCHEMA_VERSION,
      owns: (table) => table === TABLE,
      migrate: (db) =>
        db.exec(
          `CREATE TABLE IF NOT EXISTS ${TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL, created_at INTEGER NOT NULL) WITHOUT ROWID`,
        ),
      foreign: (path, tables) =>
        `${path} is a SQLite database of another program (tables: ${tables.join(", ")}), not an lmx response cache. ` +
        `lmx left it untouched; point LMX_CACHE at another file.`,
      busyTimeoutMs: options.busyTimeoutMs,
      vectors: false,
    });
    return file.build(() => new SqliteCache(file));
  }

  // Async to share CacheStore with PostgreSQL; the work is done synchronously, before the promise returns.
  async get(key: string): Promise<CachedSample | undefined> {
    return parseCachedSample(this.file.run("read from the cache", () => this.getStatement.get(key)));
  }

  async set(key: string, sample: CachedSample): Promise<void> {
    const value = JSON.stringify(sample);
    this.file.run("write to the cache", () => this.setStatement.run(key, value, Date.now()));
  }

  async count(): Promise<number> {
    return this.file.run("count the cache's entries", () => this.countStatement.get() ?? 0);
  }

  /** Entry count and size, for `lmx cache`. */
  stats(): CacheStats {
    return this.file.run("read the cache's size", (db) => {
      const pages = db.pragma("page_count", { simple: true }) as number;
      const pageSize = db.pragma("page_size", { simple: true }) as number;
      return { path: this.path, entries: this.countStatement.get() ?? 0, bytes: pages * pageSize };
    });
  }

  /** Removes every entry; returns how many there were. */
  async clear(): Promise<number> {
    return this.file.run("clear the cache", (db) => db.prepare(`DELETE FROM ${TABLE}`).run().changes);
  }

  /** Closes the file (merging the WAL back). Closing twice is harmless. */
  async close(): Promise<void> {
    this.file.close();
  }
}
