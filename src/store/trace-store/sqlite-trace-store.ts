import { join, resolve } from "node:path";
import { lmxDirs } from "../lmx-dirs.ts";
import type { StoredTrace } from "../../server/trace-store.ts";
import type { SpanJSON } from "../../trace/span.ts";
import { openSqliteFile } from "../sqlite/open-sqlite-file.ts";
import { createMetaTable, META_TABLE } from "../sqlite/store-meta.ts";
import { pruneScheduler, type PersistentTraceStore } from "./persistent-trace-store.ts";
import { likePrefix, traceRow, traceSummary, type TraceRow } from "./trace-row.ts";
import { limitsWithDefaults, type TraceStoreLimits } from "./trace-store-limits.ts";

export const TRACE_STORE_SCHEMA_VERSION = 2;
const LABEL = "trace store";
const ELSEWHERE = "LMX_TRACES";

export interface SqliteTraceStoreOptions extends TraceStoreLimits {
  path: string;
  /** Open an existing file only (for readers such as `lmx trace`): a missing file is a clear error; it prunes nothing. */
  mustExist?: boolean;
  /** How often the background pruning of old traces runs while the store is open (default 10 min). */
  pruneEveryMs?: number;
  /** Test seam: the clock for maxAgeMs. */
  now?: () => number;
}

/** A PersistentTraceStore in one file, with the file's path. */
export interface SqliteTraceStore extends PersistentTraceStore {
  readonly path: string;
}

type Row = Omit<TraceRow, "root" | "bytes" | "stream"> & { stream: number };

/** The trace file lmx uses when none is given: `$LMX_TRACES`, else `traces.sqlite` in the state folder (see lmxDirs). */
export function defaultTraceStorePath(options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): string {
  const { env = process.env, cwd = process.cwd() } = options;
  return env.LMX_TRACES ? resolve(cwd, env.LMX_TRACES) : join(lmxDirs({ env }).state, "traces.sqlite");
}

/**
 * The persistent twin of the proxy's in-memory trace ring, in one SQLite file (WAL, so `lmx ask`,
 * `lmx serve` and `lmx trace` can share it): the same add/get/list interface, each trace stored as
 * its summary plus its JSON tree (long strings cut, see traceJson). Bounded on disk: the last
 * `capacity` traces, at most `maxBytes` of them and none older than `maxAgeMs`; the byte and age
 * bounds are enforced by pruning after the writes that need it and on a timer, off the write path.
 */
export function openTraceStore(options: SqliteTraceStoreOptions): SqliteTraceStore {
  const path = resolve(options.path);
  const limits = limitsWithDefaults(options);
  const now = options.now ?? Date.now;
  const file = openSqliteFile({
    path,
    label: LABEL,
    elsewhere: ELSEWHERE,
    schemaVersion: TRACE_STORE_SCHEMA_VERSION,
    owns: (table) => table === "traces" || table === META_TABLE,
    missing: options.mustExist
      ? "No trace has been saved yet: run `lmx ask --trace ...` or `lmx serve` first, or set LMX_TRACES."
      : undefined,
    migrate(db, fromVersion) {
      createMetaTable(db);
      db.exec(`CREATE TABLE IF NOT EXISTS traces (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, model TEXT NOT NULL, lm TEXT, status TEXT NOT NULL, error TEXT,
        stream INTEGER NOT NULL, start INTEGER NOT NULL, duration_ms REAL NOT NULL, usage TEXT NOT NULL, root TEXT NOT NULL, bytes INTEGER NOT NULL DEFAULT 0)`);
      // Version 1 had no size column: count what its rows hold.
      if (fromVersion === 1) {
        db.exec("ALTER TABLE traces ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0");
        db.exec(
          "UPDATE traces SET bytes = length(CAST(root AS BLOB)) + length(CAST(usage AS BLOB)) + length(CAST(coalesce(error, '') AS BLOB))",
        );
      }
    },
  });
  const db = file.db;
  // A WAL grown by a burst of big writes shrinks back after its next checkpoint.
  db.pragma(`journal_size_limit = ${Math.min(limits.maxBytes, 64 * 1024 * 1024)}`);
  const insert = db.prepare(
    `INSERT INTO traces (id, model, lm, status, error, stream, start, duration_ms, usage, root, bytes) VALUES (@id, @model, @lm, @status, @error, @stream, @start, @duration_ms, @usage, @root, @bytes)
     ON CONFLICT (id) DO UPDATE SET model = excluded.model, lm = excluded.lm, status = excluded.status, error = excluded.error, stream = excluded.stream,
       start = excluded.start, duration_ms = excluded.duration_ms, usage = excluded.usage, root = excluded.root, bytes = excluded.bytes`,
  );
  const pruneCount = db.prepare("DELETE FROM traces WHERE seq <= (SELECT max(seq) FROM traces) - ?");
  const pruneAge = db.prepare("DELETE FROM traces WHERE start < ?");
  // The newest traces whose sizes add up to at most maxBytes stay; everything older goes.
  const pruneBytes = db.prepare(
    "DELETE FROM traces WHERE seq <= (SELECT max(seq) FROM (SELECT seq, sum(bytes) OVER (ORDER BY seq DESC) AS kept FROM traces) WHERE kept > ?)",
  );
  const totalBytes = db.prepare<[], number>("SELECT coalesce(sum(bytes), 0) FROM traces").pluck();
  const getRow = db.prepare<[string], Row & { root: string }>("SELECT * FROM traces WHERE id = ?");
  const byPrefix = db
    .prepare<[string, number], string>("SELECT id FROM traces WHERE id LIKE ? ESCAPE '\\' ORDER BY seq DESC LIMIT ?")
    .pluck();
  const listRows = db.prepare<[number], Row>(
    "SELECT id, model, lm, status, error, stream, start, duration_ms, usage FROM traces ORDER BY seq DESC LIMIT ?",
  );

  const prune = async (): Promise<number> =>
    file.run("prune traces", () =>
      db.transaction(
        () =>
          pruneAge.run(now() - limits.maxAgeMs).changes +
          pruneBytes.run(limits.maxBytes).changes +
          pruneCount.run(limits.capacity).changes,
      )(),
    );
  // Past a slice of maxBytes written, a prune is scheduled (not run inside add).
  const pruning = pruneScheduler(prune, {
    slice: limits.maxBytes / 16,
    everyMs: options.pruneEveryMs,
    timer: !options.mustExist,
  });

  return {
    path,
    where: path,
    async add(entry) {
      const row = traceRow(entry, limits);
      file.run("save a trace", () =>
        db.transaction(() => {
          insert.run({ ...row, stream: row.stream ? 1 : 0 });
          pruneCount.run(limits.capacity);
        })(),
      );
      pruning.wrote(row.bytes);
    },
    async get(id) {
      const row = file.run("read a trace", () => getRow.get(id));
      return row ? ({ ...traceSummary(row), root: JSON.parse(row.root) as SpanJSON } satisfies StoredTrace) : undefined;
    },
    async list({ limit = 50 } = {}) {
      return file.run("list traces", () => listRows.all(Math.max(0, Math.floor(limit)))).map(traceSummary);
    },
    async idsStartingWith(prefix, limit = 10) {
      return file.run("find traces", () => byPrefix.all(likePrefix(prefix), limit));
    },
    prune,
    storedBytes: async () => file.run("measure traces", () => totalBytes.get() ?? 0),
    async close() {
      try {
        await pruning.stop();
      } finally {
        file.close();
      }
    },
  };
}
