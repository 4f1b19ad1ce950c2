import type { CacheStore } from "../cache/response-cache.ts";
import { PgCache } from "../cache/pg-cache.ts";
import { SqliteCache } from "../cache/sqlite-cache.ts";
import { EvalStore } from "../eval/eval-store.ts";
import { PgEvalStore } from "../eval/pg-eval-store.ts";
import { ConfigurationError } from "../core/errors/configuration-error.ts";
import { PgDatabase } from "./postgres/pg-database.ts";
import { redactUrl } from "./postgres/pg-store-error.ts";
import type { PersistentTraceStore } from "./trace-store/persistent-trace-store.ts";
import { pgTraceStore } from "./trace-store/pg-trace-store.ts";
import { openTraceStore } from "./trace-store/sqlite-trace-store.ts";
import type { TraceStoreLimits } from "./trace-store/trace-store-limits.ts";

/** The SQLite files each store uses when no database URL is given (see defaultCachePath, defaultTraceStorePath, ...). */
export interface StoreLocations {
  cache: string;
  traces: string;
  evalResults: string;
}

export interface TraceStoreOpenOptions extends TraceStoreLimits {
  /** For readers (`lmx trace`): a missing SQLite file is a clear error, and nothing is pruned. */
  mustExist?: boolean;
}

/**
 * Every store lmx keeps, on one backend. Each accessor opens a store that its caller closes;
 * `close()` then lets go of what they share (PostgreSQL's connection pool).
 */
export interface Stores {
  readonly backend: "sqlite" | "postgres";
  /** The database URL without its password, or "SQLite files". */
  readonly where: string;
  cache(): CacheStore;
  traces(options?: TraceStoreOpenOptions): PersistentTraceStore;
  /** Eval and tune results. */
  evalResults(): EvalStore;
  /** Brings every store's tables up to date now (PostgreSQL: under an advisory lock; SQLite files migrate as they open). */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/** Whether `url` names PostgreSQL (`postgres://` or `postgresql://`). */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/**
 * The stores for the `store` setting: `undefined` (or empty) keeps each store in its SQLite file
 * under `locations`; a `postgres://…` URL puts them all in that database, shared by every lmx
 * instance pointed at it. Read the setting at an entry point (LMX_STORE, then the config's `store`)
 * and pass it here; nothing below reads the environment.
 */
export function openStores(url: string | undefined, locations: StoreLocations): Stores {
  const chosen = url?.trim();
  if (!chosen) return sqliteStores(locations);
  if (!isPostgresUrl(chosen))
    throw new ConfigurationError(
      `store "${redactUrl(chosen)}" is not supported: give a postgres://user:password@host:port/database URL, or leave "store" unset for SQLite files`,
    );
  return postgresStores(new PgDatabase({ url: chosen }));
}

function sqliteStores(locations: StoreLocations): Stores {
  return {
    backend: "sqlite",
    where: "SQLite files",
    cache: () => SqliteCache.open({ path: locations.cache }),
    traces: (options = {}) => openTraceStore({ path: locations.traces, ...options }),
    evalResults: () => EvalStore.open({ path: locations.evalResults }),
    async migrate() {},
    async close() {},
  };
}

function postgresStores(db: PgDatabase): Stores {
  return {
    backend: "postgres",
    where: redactUrl(db.url),
    cache: () => new PgCache(db),
    traces: ({ mustExist, ...limits } = {}) => pgTraceStore(db, { ...limits, mustExist }),
    evalResults: () => new PgEvalStore(db),
    async migrate() {
      await new PgCache(db).count();
      const traces = pgTraceStore(db, { mustExist: true });
      await traces.storedBytes();
      await traces.close();
      await new PgEvalStore(db).finished({ dataset: "", model: "", technique: "" });
    },
    close: () => db.close(),
  };
}
