import { join, resolve } from "node:path";
import { lmxDirs } from "../lmx-dirs.ts";
import type { Usage } from "../../core/types.ts";
import {
  traceStatus,
  type StoredTrace,
  type TraceEntry,
  type TraceStatus,
  type TraceStore,
  type TraceSummary,
} from "../../server/trace-store.ts";
import type { SpanJSON } from "../../trace/span.ts";
import { openSqliteFile } from "../sqlite/open-sqlite-file.ts";
import { createMetaTable, META_TABLE } from "../sqlite/store-meta.ts";
import { traceJson } from "./trace-json.ts";
import { TRACE_STORE_DEFAULTS, type TraceStoreLimits } from "./trace-store-limits.ts";

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

/** A TraceStore that survives restarts, with the file's path and a close(). */
export interface SqliteTraceStore extends TraceStore {
  readonly path: string;
  /** Ids starting with `prefix` (at most `limit`, newest first), so a user may type a short id. */
  idsStartingWith(prefix: string, limit?: number): string[];
  /** Saves several traces in one transaction (what a write-behind batch uses); all or none. */
  addAll(entries: readonly TraceEntry[]): void;
  /** Deletes traces beyond maxBytes and maxAgeMs now (it also runs by itself in the background); returns how many. */
  prune(): number;
  /** Bytes of trace data stored (what maxBytes bounds). */
  storedBytes(): number;
  close(): void;
}

interface Row {
  id: string;
  model: string;
  lm: string | null;
  status: TraceStatus;
  error: string | null;
  stream: number;
  start: number;
  duration_ms: number;
  usage: string;
}

/** The trace file lmx uses when none is given: `$LMX_TRACES`, else `traces.sqlite` in the state folder (see lmxDirs). */
export function defaultTraceStorePath(options: { env: NodeJS.ProcessEnv; cwd?: string }): string {
  const { env, cwd = process.cwd() } = options;
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
  const limits = { ...TRACE_STORE_DEFAULTS, ...definedOnly(options) };
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

  const prune = (): number =>
    file.run("prune traces", () =>
      db.transaction(
        () =>
          pruneAge.run(now() - limits.maxAgeMs).changes +
          pruneBytes.run(limits.maxBytes).changes +
          pruneCount.run(limits.capacity).changes,
      )(),
    );
  // Writes since the last prune; past a slice of maxBytes a prune is scheduled (not run inside add).
  let unpruned = 0;
  let scheduled: NodeJS.Immediate | undefined;
  const pruneSoon = () => {
    scheduled ??= setImmediate(() => {
      scheduled = undefined;
      unpruned = 0;
      try {
        prune();
      } catch {
        // The next write or tick tries again; a failed prune must not take the server down.
      }
    });
  };
  const timer = options.mustExist ? undefined : setInterval(pruneSoon, options.pruneEveryMs ?? 10 * 60_000);
  timer?.unref();
  if (!options.mustExist) pruneSoon();

  const rowOf = (entry: TraceEntry) => {
    const { span, model, lm, stream, error } = entry;
    span.finish();
    const root = traceJson(span.toJSON(), limits);
    const cutError =
      error === undefined
        ? null
        : error.length > limits.maxFieldBytes
          ? `${error.slice(0, limits.maxFieldBytes)}… [truncated]`
          : error;
    const usage = JSON.stringify(span.total);
    const bytes = Buffer.byteLength(root) + Buffer.byteLength(usage) + (cutError ? Buffer.byteLength(cutError) : 0);
    return {
      id: span.traceId,
      model: model.slice(0, limits.maxFieldBytes),
      lm: lm?.slice(0, limits.maxFieldBytes) ?? null,
      status: traceStatus(entry),
      error: cutError,
      stream: stream ? 1 : 0,
      start: span.start,
      duration_ms: span.durationMs,
      usage,
      root,
      bytes,
    };
  };
  const wrote = (bytes: number) => {
    unpruned += bytes;
    if (unpruned > limits.maxBytes / 16) pruneSoon();
  };

  return {
    path,
    add(entry) {
      const row = rowOf(entry);
      file.run("save a trace", () =>
        db.transaction(() => {
          insert.run(row);
          pruneCount.run(limits.capacity);
        })(),
      );
      wrote(row.bytes);
    },
    addAll(entries) {
      const rows = entries.map(rowOf);
      // One transaction for a batch: its commit, not the inserts, is most of what a write costs.
      file.run("save traces", () =>
        db.transaction(() => {
          for (const row of rows) insert.run(row);
          pruneCount.run(limits.capacity);
        })(),
      );
      for (const row of rows) wrote(row.bytes);
    },
    get(id) {
      const row = file.run("read a trace", () => getRow.get(id));
      return row ? ({ ...summary(row), root: JSON.parse(row.root) as SpanJSON } satisfies StoredTrace) : undefined;
    },
    list({ limit = 50 } = {}) {
      return file.run("list traces", () => listRows.all(Math.max(0, Math.floor(limit)))).map(summary);
    },
    idsStartingWith(prefix, limit = 10) {
      return file.run("find traces", () => byPrefix.all(`${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, limit));
    },
    prune,
    storedBytes: () => file.run("measure traces", () => totalBytes.get() ?? 0),
    close() {
      if (timer) clearInterval(timer);
      // A prune still due runs now, so a short-lived writer (`lmx ask`) keeps the file bounded too.
      try {
        if (scheduled) {
          clearImmediate(scheduled);
          scheduled = undefined;
          prune();
        }
      } finally {
        file.close();
      }
    },
  };
}

/** The limits `options` sets (an undefined one keeps its default). */
function definedOnly(options: TraceStoreLimits): TraceStoreLimits {
  return Object.fromEntries(
    Object.keys(TRACE_STORE_DEFAULTS).flatMap((k) =>
      options[k as keyof TraceStoreLimits] === undefined ? [] : [[k, options[k as keyof TraceStoreLimits]]],
    ),
  );
}

function summary(row: Row): TraceSummary {
  return {
    id: row.id,
    model: row.model,
    ...(row.lm === null ? {} : { lm: row.lm }),
    status: row.status,
    ...(row.error === null ? {} : { error: row.error }),
    stream: row.stream === 1,
    start: row.start,
    duration_ms: row.duration_ms,
    usage: JSON.parse(row.usage) as Usage,
  };
}
