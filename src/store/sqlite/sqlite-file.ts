import type Database from "better-sqlite3";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { sqliteFileError } from "./sqlite-file-error.ts";

export interface SqliteFileOptions {
  /** The database file (or `:memory:`). */
  path: string;
  db: Database.Database;
  /** What the file is to lmx ("document index", "response cache"), for error messages. */
  label: string;
  /** The setting that picks another file ("--index (or LMX_INDEX)"), for error messages. */
  elsewhere: string;
}

/**
 * One of lmx's open SQLite files, as a store holds it: the database until `close()`, and every
 * SQLite failure on it turned into a ConfigurationError that names the file and what was being done.
 */
export class SqliteFile {
  readonly path: string;
  readonly label: string;
  readonly elsewhere: string;
  private open: Database.Database | undefined;

  constructor(options: SqliteFileOptions) {
    this.path = options.path;
    this.open = options.db;
    this.label = options.label;
    this.elsewhere = options.elsewhere;
  }

  /** The open database; a ConfigurationError once the file is closed. */
  get db(): Database.Database {
    if (!this.open) throw new ConfigurationError(`${this.label} ${this.path} was used after close()`);
    return this.open;
  }

  /** Runs `fn` on the database; a SQLite failure becomes a ConfigurationError saying lmx was trying to `action`. */
  run<T>(action: string, fn: (db: Database.Database) => T): T {
    const db = this.db;
    try {
      return fn(db);
    } catch (error) {
      throw this.error(error, action);
    }
  }

  /** The ConfigurationError for a SQLite failure while trying to `action` (other errors are returned unchanged). */
  error(error: unknown, action: string): unknown {
    return sqliteFileError({ path: this.path, error, action, label: this.label, elsewhere: this.elsewhere });
  }

  /**
   * Builds the store that reads this file (its statements are prepared here); when that fails the
   * file is closed, so a store that could not open leaves no handle behind.
   */
  build<T>(make: () => T): T {
    try {
      return make();
    } catch (error) {
      this.close();
      throw this.error(error, `open the ${this.label}`);
    }
  }

  /** Closes the file (merging the WAL back). Closing twice is harmless. */
  close(): void {
    this.open?.close();
    this.open = undefined;
  }
}
