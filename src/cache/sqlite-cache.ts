import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { ConfigurationError } from "../core/errors/configuration-error.ts";
import { cacheFileError } from "./cache-file-error.ts";
import type { CachedSample, ResponseCache } from "./response-cache.ts";

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
 * The cache file lmx uses when none is given: `$LMX_CACHE`, else `.lmx/cache.sqlite` in the working folder.
 */
export function defaultCachePath(options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): string {
  const { env = process.env, cwd = process.cwd() } = options;
  return env.LMX_CACHE ? resolve(cwd, env.LMX_CACHE) : resolve(cwd, ".lmx", "cache.sqlite");
}

/**
 * A response cache in one SQLite file (WAL mode, so several lmx processes can share it). Every
 * SQLite failure (a lock held past the busy timeout, a file that is not a database or is corrupt)
 * becomes a ConfigurationError naming the file; the file itself is never deleted or rewritten.
 */
export class SqliteCache implements ResponseCache {
  readonly path: string;
  private db: Database.Database | undefined;
  private readonly getStatement: Database.Statement<[string], string>;
  private readonly setStatement: Database.Statement<[string, string, number]>;
  private readonly countStatement: Database.Statement<[], number>;

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.db = db;
    this.getStatement = db.prepare<[string], string>(`SELECT value FROM ${TABLE} WHERE key = ?`).pluck();
    this.setStatement = db.prepare<[string, string, number]>(
      `INSERT INTO ${TABLE} (key, value, created_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, created_at = excluded.created_at`,
    );
    this.countStatement = db.prepare<[], number>(`SELECT count(*) FROM ${TABLE}`).pluck();
  }

  /** Opens (or creates) the cache file and checks its schema version. */
  static open(options: SqliteCacheOptions): SqliteCache {
    const memory = options.path === ":memory:";
    const path = memory ? options.path : resolve(options.path);
    if (!memory) {
      try {
        mkdirSync(dirname(path), { recursive: true });
      } catch (error) {
        throw new ConfigurationError(`response cache ${path}: cannot create its folder (${(error as Error).message})`, { cause: error });
      }
    }
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { timeout: options.busyTimeoutMs ?? 5000 });
      // Read the schema page first, so a file that is not a database fails before anything is written to it.
      db.prepare("SELECT count(*) FROM sqlite_master").pluck().get();
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      migrate(db, path);
      return new SqliteCache(path, db);
    } catch (error) {
      db?.close();
      throw cacheFileError({ path, error, action: "open the cache" });
    }
  }

  get(key: string): CachedSample | undefined {
    const raw = this.run("read from the cache", () => this.getStatement.get(key));
    if (raw === undefined) return undefined;
    try {
      const sample = JSON.parse(raw) as CachedSample;
      // A row edited by hand into something else is a miss; the next set replaces it.
      return sample && typeof sample === "object" && sample.choice && typeof sample.choice === "object" ? sample : undefined;
    } catch {
      return undefined;
    }
  }

  set(key: string, sample: CachedSample): void {
    const value = JSON.stringify(sample);
    this.run("write to the cache", () => this.setStatement.run(key, value, Date.now()));
  }

  /** Entry count and size, for `lmx cache`. */
  stats(): CacheStats {
    return this.run("read the cache's size", () => {
      const db = this.open();
      const pages = db.pragma("page_count", { simple: true }) as number;
      const pageSize = db.pragma("page_size", { simple: true }) as number;
      return { path: this.path, entries: this.countStatement.get() ?? 0, bytes: pages * pageSize };
    });
  }

  /** Removes every entry; returns how many there were. */
  clear(): number {
    return this.run("clear the cache", () => this.open().prepare(`DELETE FROM ${TABLE}`).run().changes);
  }

  /** Closes the file (merging the WAL back). Closing twice is harmless. */
  close(): void {
    this.db?.close();
    this.db = undefined;
  }

  private open(): Database.Database {
    if (!this.db) throw new ConfigurationError(`response cache ${this.path} was used after close()`);
    return this.db;
  }

  private run<T>(action: string, fn: () => T): T {
    this.open();
    try {
      return fn();
    } catch (error) {
      throw cacheFileError({ path: this.path, error, action });
    }
  }
}

/** Creates the table in a new file; refuses files from a newer lmx or from another program. */
function migrate(db: Database.Database, path: string): void {
  // IMMEDIATE: two processes creating the same new cache must not both create it.
  db.transaction(() => {
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version > CACHE_SCHEMA_VERSION)
      throw new ConfigurationError(
        `response cache ${path} has schema version ${version}, but this lmx reads version ${CACHE_SCHEMA_VERSION}. ` +
          `Upgrade lmx, or point LMX_CACHE at another file.`,
      );
    const tables = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    if (version === 0 && tables.some((t) => t !== TABLE))
      throw new ConfigurationError(
        `${path} is a SQLite database of another program (tables: ${tables.slice(0, 5).join(", ")}), not an lmx response cache. ` +
          `lmx left it untouched; point LMX_CACHE at another file.`,
      );
    db.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL, created_at INTEGER NOT NULL) WITHOUT ROWID`);
    if (version < CACHE_SCHEMA_VERSION) db.pragma(`user_version = ${CACHE_SCHEMA_VERSION}`);
  }).immediate();
}

