import { join, resolve } from "node:path";
import { lmxDirs } from "../lmx-dirs.ts";
import type { Usage } from "../../core/types.ts";
import type { StoredTrace, TraceStore, TraceSummary } from "../../server/trace-store.ts";
import type { SpanJSON } from "../../trace/span.ts";
import { openSqliteFile } from "../sqlite/open-sqlite-file.ts";
import { createMetaTable, META_TABLE } from "../sqlite/store-meta.ts";

export const TRACE_STORE_SCHEMA_VERSION = 1;
const LABEL = "trace store";
const ELSEWHERE = "LMX_TRACES";

export interface SqliteTraceStoreOptions {
  path: string;
  /** Traces kept; older ones are deleted as new ones arrive (default 1000). */
  capacity?: number;
  /** Open an existing file only (for readers such as `lmx trace`): a missing file is a clear error. */
  mustExist?: boolean;
}

/** A TraceStore that survives restarts, with the file's path and a close(). */
export interface SqliteTraceStore extends TraceStore {
  readonly path: string;
  /** Ids starting with `prefix` (at most `limit`, newest first), so a user may type a short id. */
  idsStartingWith(prefix: string, limit?: number): string[];
  close(): void;
}

interface Row {
  id: string;
  model: string;
  lm: string | null;
  status: "ok" | "error";
  error: string | null;
  stream: number;
  start: number;
  duration_ms: number;
  usage: string;
}

/** The trace file lmx uses when none is given: `$LMX_TRACES`, else `traces.sqlite` in the state folder (see lmxDirs). */
export function defaultTraceStorePath(options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): string {
  const { env = process.env, cwd = process.cwd() } = options;
  return env.LMX_TRACES ? resolve(cwd, env.LMX_TRACES) : join(lmxDirs({ env }).state, "traces.sqlite");
}

/**
 * The persistent twin of the proxy's in-memory trace ring, in one SQLite file (WAL, so `lmx ask`,
 * `lmx serve` and `lmx trace` can share it): the same add/get/list interface, the last `capacity`
 * traces kept, each stored as its summary plus its JSON tree.
 */
export function openTraceStore(options: SqliteTraceStoreOptions): SqliteTraceStore {
  const path = resolve(options.path);
  const capacity = options.capacity ?? 1000;
  const file = openSqliteFile({
    path,
    label: LABEL,
    elsewhere: ELSEWHERE,
    schemaVersion: TRACE_STORE_SCHEMA_VERSION,
    owns: (table) => table === "traces" || table === META_TABLE,
    missing: options.mustExist ? "No trace has been saved yet: run `lmx ask --trace ...` or `lmx serve` first, or set LMX_TRACES." : undefined,
    migrate(db) {
      createMetaTable(db);
      db.exec(`CREATE TABLE IF NOT EXISTS traces (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, model TEXT NOT NULL, lm TEXT, status TEXT NOT NULL, error TEXT,
        stream INTEGER NOT NULL, start INTEGER NOT NULL, duration_ms REAL NOT NULL, usage TEXT NOT NULL, root TEXT NOT NULL)`);
    },
  });
  const db = file.db;
  const insert = db.prepare(
    `INSERT INTO traces (id, model, lm, status, error, stream, start, duration_ms, usage, root) VALUES (@id, @model, @lm, @status, @error, @stream, @start, @duration_ms, @usage, @root)
     ON CONFLICT (id) DO UPDATE SET model = excluded.model, lm = excluded.lm, status = excluded.status, error = excluded.error, stream = excluded.stream,
       start = excluded.start, duration_ms = excluded.duration_ms, usage = excluded.usage, root = excluded.root`,
  );
  const prune = db.prepare("DELETE FROM traces WHERE seq <= (SELECT max(seq) FROM traces) - ?");
  const getRow = db.prepare<[string], Row & { root: string }>("SELECT * FROM traces WHERE id = ?");
  const byPrefix = db.prepare<[string, number], string>("SELECT id FROM traces WHERE id LIKE ? ESCAPE '\\' ORDER BY seq DESC LIMIT ?").pluck();
  const listRows = db.prepare<[number], Row>("SELECT id, model, lm, status, error, stream, start, duration_ms, usage FROM traces ORDER BY seq DESC LIMIT ?");

  return {
    path,
    add({ span, model, lm, stream, error }) {
      span.finish();
      const root: SpanJSON = span.toJSON();
      file.run("save a trace", () =>
        db.transaction(() => {
          insert.run({
            id: span.traceId,
            model,
            lm: lm ?? null,
            status: error ? "error" : span.status,
            error: error ?? null,
            stream: stream ? 1 : 0,
            start: span.start,
            duration_ms: span.durationMs,
            usage: JSON.stringify(span.total),
            root: JSON.stringify(root),
          });
          prune.run(capacity);
        })(),
      );
    },
    get(id) {
      const row = file.run("read a trace", () => getRow.get(id));
      return row ? { ...summary(row), root: JSON.parse(row.root) as SpanJSON } satisfies StoredTrace : undefined;
    },
    list({ limit = 50 } = {}) {
      return file.run("list traces", () => listRows.all(Math.max(0, Math.floor(limit)))).map(summary);
    },
    idsStartingWith(prefix, limit = 10) {
      return file.run("find traces", () => byPrefix.all(`${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, limit));
    },
    close() {
      file.close();
    },
  };
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
