import { isAbsolute } from "node:path";
import type { LmxRuntime } from "../runtime/create-lmx-runtime.ts";
import { isStoreName, type StoreKind } from "../store/store-location.ts";
import { displayPath } from "../techniques/beyond-context/format-passages.ts";

/**
 * The SQLite file `lmx index` / `lmx memory` work on, or undefined for the runtime's database: a
 * file path given with --index/--store is always that file (as `lmx eval --results FILE`); a name
 * or the default is the database's store when the runtime's store is PostgreSQL.
 */
export function cliStoreFile(runtime: LmxRuntime, kind: StoreKind, value: string | undefined): string | undefined {
  const onFile = runtime.stores.backend !== "postgres" || (value !== undefined && !isStoreName(value));
  return onFile ? runtime.host.storeLocation(kind, value).path : undefined;
}

/** A store's `stats().path` for the user: a file relative to the working folder, a database as it is. */
export function storeWhere(path: string): string {
  return isAbsolute(path) ? displayPath(path) : path;
}
