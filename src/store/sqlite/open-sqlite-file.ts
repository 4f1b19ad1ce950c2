import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import * as sqliteVec from "sqlite-vec";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { SqliteFile } from "./sqlite-file.ts";
import { sqliteFileError } from "./sqlite-file-error.ts";

export interface OpenSqliteFileOptions {
  /** The database file; its parent folders are created. `:memory:` keeps the database in memory. */
  path: string;
  /** What the file is to lmx ("document index", "memory store"), for error messages. */
  label: string;
  /** The setting that picks another file ("--index or LMX_INDEX"), for error messages. */
  elsewhere: string;
  /** The layout this code writes (stored as `user_version`); a file with a higher one came from a newer lmx. */
  schemaVersion: number;
  /** Whether a table belongs to this kind of file: a database with other tables is another program's. */
  owns(table: string): boolean;
  /** Creates or upgrades the tables from `fromVersion` (0 = new file), inside an IMMEDIATE transaction. */
  migrate(db: Database.Database, fromVersion: number): void;
  /** When the file does not exist: throw a ConfigurationError with this text instead of creating it. */
  missing?: string;
  /** How long a statement waits for another process's lock (default 5000 ms). */
  busyTimeoutMs?: number;
  /** Load sqlite-vec (default true); a store without vectors, like the response cache, does without. */
  vectors?: boolean;
  /** The refusal of another program's database, given its tables (default: "<path> is not an lmx <label> (it has tables: ...)"). */
  foreign?(path: string, tables: string[]): string;
}

/**
 * Opens (or creates) one of lmx's SQLite files (response cache, stores, eval results): WAL (readers
 * never block the writer and a killed writer loses only its uncommitted transaction), a busy
 * timeout, sqlite-vec loaded, and a `user_version` schema check that refuses files from a newer lmx
 * or from another program. Every SQLite failure becomes a ConfigurationError naming the file.
 */
export function openSqliteFile(options: OpenSqliteFileOptions): SqliteFile {
  const memory = options.path === ":memory:";
  const path = memory ? options.path : resolve(options.path);
  if (!memory && !existsSync(path)) {
    if (options.missing !== undefined)
      throw new ConfigurationError(`${options.label} ${path} does not exist. ${options.missing}`);
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (error) {
      throw new ConfigurationError(`${options.label} ${path}: cannot create its folder (${(error as Error).message})`, {
        cause: error,
      });
    }
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { timeout: options.busyTimeoutMs ?? 5000 });
    // Read the schema page first, so a file that is not a database fails before anything is written to it.
    db.prepare("SELECT count(*) FROM sqlite_master").pluck().get();
    if (options.vectors ?? true) loadVectors(db);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    checkAndMigrate(db, path, options);
    return new SqliteFile({ path, db, label: options.label, elsewhere: options.elsewhere });
  } catch (error) {
    db?.close();
    throw sqliteFileError({
      path,
      error,
      action: `open the ${options.label}`,
      label: options.label,
      elsewhere: options.elsewhere,
    });
  }
}

/**
 * Loads sqlite-vec. Without it (a platform it ships no binary for) BM25 search still works, and a
 * store with vectors fails on first use with SQLite's "no such module: vec0".
 */
function loadVectors(db: Database.Database): void {
  try {
    sqliteVec.load(db);
  } catch {
    // Reported when vectors are used, not here.
  }
}

function checkAndMigrate(db: Database.Database, path: string, options: OpenSqliteFileOptions): void {
  // IMMEDIATE: two processes creating the same new file must not both create it.
  db.transaction(() => {
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version > options.schemaVersion)
      throw new ConfigurationError(
        `${options.label} ${path} has schema version ${version}, but this lmx reads version ${options.schemaVersion}. ` +
          `Upgrade lmx, or point ${options.elsewhere} at another file.`,
      );
    const tables = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    const foreign = tables.filter((t) => !options.owns(t) && !t.startsWith("sqlite_"));
    if (foreign.length > 0)
      throw new ConfigurationError(
        options.foreign?.(path, foreign.slice(0, 5)) ??
          `${path} is not an lmx ${options.label} (it has tables: ${foreign.slice(0, 5).join(", ")}). ` +
            `lmx left it untouched; point ${options.elsewhere} at another file.`,
      );
    if (version < options.schemaVersion) {
      options.migrate(db, version);
      db.pragma(`user_version = ${options.schemaVersion}`);
    }
  }).immediate();
}
