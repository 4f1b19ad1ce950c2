import { sqliteFileError } from "../store/sqlite/sqlite-file-error.ts";

export { isSqliteError } from "../store/sqlite/sqlite-file-error.ts";

/**
 * Turns a SQLite failure on the cache file into a ConfigurationError that names the file and says
 * what to do (see sqliteFileError). Errors that are not SQLite's are returned unchanged.
 */
export function cacheFileError(options: { path: string; error: unknown; action: string }): unknown {
  return sqliteFileError({ ...options, label: "response cache", elsewhere: "LMX_CACHE (or --cache)" });
}
