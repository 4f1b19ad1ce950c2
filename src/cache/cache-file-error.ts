import { ConfigurationError } from "../core/errors/configuration-error.ts";

/** Whether `error` came from SQLite (better-sqlite3 errors carry a `SQLITE_*` code). */
export function isSqliteError(error: unknown): error is Error & { code: string } {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === "string" && code.startsWith("SQLITE_");
}

/**
 * Turns a SQLite failure on the cache file into a ConfigurationError that names the file and says
 * what to do. lmx never deletes or rewrites the user's file to recover; the user decides.
 * Errors that are not SQLite's are returned unchanged.
 */
export function cacheFileError(options: { path: string; error: unknown; action: string }): unknown {
  const { path, error, action } = options;
  if (!isSqliteError(error)) return error;
  const code = error.code;
  const where = `response cache ${path}`;
  const cause = { cause: error };
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"))
    return new ConfigurationError(
      `${where} is locked by another process (${action} waited for the busy timeout and gave up). ` +
        `Wait for the other lmx run to finish, or point LMX_CACHE (or --cache) at another file.`,
      cause,
    );
  if (code.startsWith("SQLITE_NOTADB") || code.startsWith("SQLITE_CORRUPT"))
    return new ConfigurationError(
      `${where} is not a readable SQLite database (${error.message}; while trying to ${action}). ` +
        `lmx left the file untouched: move it away or delete it to start an empty cache, or point LMX_CACHE at another file.`,
      cause,
    );
  if (code.startsWith("SQLITE_CANTOPEN") || code.startsWith("SQLITE_PERM") || code.startsWith("SQLITE_READONLY"))
    return new ConfigurationError(
      `${where} cannot be opened for writing (${error.message}). Check the folder's permissions, or point LMX_CACHE at a writable file.`,
      cause,
    );
  if (code.startsWith("SQLITE_FULL") || code.startsWith("SQLITE_IOERR"))
    return new ConfigurationError(`${where}: the disk failed while trying to ${action} (${error.message}). Free some space or point LMX_CACHE elsewhere.`, cause);
  return new ConfigurationError(`${where}: SQLite failed to ${action} (${code}: ${error.message})`, cause);
}
