import { ConfigurationError } from "../../core/errors/configuration-error.ts";

/** Whether `error` came from SQLite (better-sqlite3 errors carry a `SQLITE_*` code). */
export function isSqliteError(error: unknown): error is Error & { code: string } {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === "string" && code.startsWith("SQLITE_");
}

export interface SqliteFileErrorOptions {
  /** The database file. */
  path: string;
  error: unknown;
  /** What lmx was doing, e.g. "open the index" (it follows "while trying to"). */
  action: string;
  /** What the file is to lmx, e.g. "response cache", "document index". */
  label: string;
  /** The setting that picks another file, e.g. "LMX_CACHE" or "--index". */
  elsewhere: string;
}

/**
 * Turns a SQLite failure on one of lmx's files into a ConfigurationError that names the file and says
 * what to do. lmx never deletes or rewrites the user's file to recover; the user decides.
 * Errors that are not SQLite's are returned unchanged.
 */
export function sqliteFileError(options: SqliteFileErrorOptions): unknown {
  const { path, error, action, label, elsewhere } = options;
  if (!isSqliteError(error)) return error;
  const code = error.code;
  const where = `${label} ${path}`;
  const cause = { cause: error };
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"))
    return new ConfigurationError(
      `${where} is locked by another process (${action} waited for the busy timeout and gave up). ` +
        `Wait for the other lmx run to finish, or point ${elsewhere} at another file.`,
      cause,
    );
  if (code.startsWith("SQLITE_NOTADB") || code.startsWith("SQLITE_CORRUPT"))
    return new ConfigurationError(
      `${where} is not a readable SQLite database (${error.message}; while trying to ${action}). ` +
        `lmx left the file untouched: move it away or delete it to start an empty ${label}, or point ${elsewhere} at another file.`,
      cause,
    );
  if (code.startsWith("SQLITE_CANTOPEN") || code.startsWith("SQLITE_PERM") || code.startsWith("SQLITE_READONLY"))
    return new ConfigurationError(
      `${where} cannot be opened for writing (${error.message}). Check the folder's permissions, or point ${elsewhere} at a writable file.`,
      cause,
    );
  if (code.startsWith("SQLITE_FULL") || code.startsWith("SQLITE_IOERR"))
    return new ConfigurationError(
      `${where}: the disk failed while trying to ${action} (${error.message}). Free some space or point ${elsewhere} elsewhere.`,
      cause,
    );
  return new ConfigurationError(`${where}: SQLite failed to ${action} (${code}: ${error.message})`, cause);
}
