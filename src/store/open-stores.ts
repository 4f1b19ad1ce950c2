import type { CacheStore } from "../cache/response-cache.ts";
import { PgCache } from "../cache/pg-cache.ts";
import { SqliteCache } from "../cache/sqlite-cache.ts";
import { EvalStore } from "../eval/eval-store.ts";
import { PgEvalStore } from "../eval/pg-eval-store.ts";
import { ConfigurationError } from "../core/errors/configuration-error.ts";
import { DocumentIndex, type DocumentIndexOptions } from "./document-index/document-index.ts";
import type { DocumentStore } from "./document-index/document-store.ts";
import { PgDocumentIndex } from "./document-index/pg-document-index.ts";
import type { Embedder } from "../embeddings/embedder.ts";
import type { LessonStore } from "./memory/lesson-store.ts";
import { MemoryStore } from "./memory/memory-store.ts";
import { PgMemoryStore } from "./memory/pg-memory-store.ts";
import { PgDatabase } from "./postgres/pg-database.ts";
import { redactUrl } from "../core/redact-url.ts";
import type { PersistentTraceStore } from "./trace-store/persistent-trace-store.ts";
import { pgTraceStore } from "./trace-store/pg-trace-store.ts";
import { openTraceStore } from "./trace-store/sqlite-trace-store.ts";
import type { TraceStoreLimits } from "./trace-store/trace-store-limits.ts";

/** The SQLite files each store uses when no database URL is given (see defaultCachePath, defaultTraceStorePath, ...). */
export interface StoreLocations {
  cache: string;
  traces: string;
  evalResults: string;
  /** The memory store file for a name (see storeLocation); undefined: the default store. */
  memory?(name: string | undefined): string;
  /** The document index file for a name (see storeLocation). */
  index?(name: string | undefined): string;
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
  /** A memory store by name: a SQLite file, or rows of the database's lessons table under that name. */
  memory(name?: string, options?: { embedder?: Embedder }): LessonStore;
  /** A document index by name: a SQLite file, or rows of the database's index tables under that name. */
  index(name?: string, options?: Omit<DocumentIndexOptions, "path">): DocumentStore;
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
  if (!chosen) return { ...sqliteStores(locations), ...namedStores(locations) };
  if (!isPostgresUrl(chosen))
    throw new ConfigurationError(
      `store "${redactUrl(chosen)}" is not supported: give a postgres://user:password@host:port/database URL, or leave "store" unset for SQLite files`,
    );
  const db = new PgDatabase({ url: chosen });
  return {
    ...postgresStores(db),
    ...namedStores(locations),
    memory: (name, options = {}) => new PgMemoryStore(db, { name, embedder: options.embedder }),
    index: (name, options = {}) =>
      new PgDocumentIndex(db, {
        name,
        embedder: options.embedder,
        chunkSize: options.chunkSize,
        maxFileBytes: options.maxFileBytes,
      }),
  };
}
/** Memory and index as SQLite files, one per name. */
function namedStores(locations: StoreLocations): Pick<Stores, "memory" | "index"> {
  const where = (kind: "memory" | "index", name: string | undefined): string => {
    const locate = locations[kind];
    if (!locate) throw new ConfigurationError(`no ${kind} location was given to openStores`);
    return locate(name);
  };
  return {
    memory: (name, options = {}) => MemoryStore.open({ embedder: options.embedder, path: where("memory", name) }),
    index: (name, options = {}) => DocumentIndex.open({ ...options, path: where("index", name) }),
  };
}

function sqliteStores(locations: StoreLocations): Omit<Stores, "memory" | "index"> {
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

function postgresStores(db: PgDatabase): Omit<Stores, "memory" | "index"> {
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
      await new PgMemoryStore(db).count();
      await new PgDocumentIndex(db).stats();
    },
    close: () => db.close(),
  };
}
