import type { StoredTrace } from "../../server/trace-store.ts";
import type { SpanJSON } from "../../trace/span.ts";
import type { PgDatabase } from "../postgres/pg-database.ts";
import { migrateOnce, type PgMigration } from "../postgres/pg-migrate.ts";
import { redactUrl } from "../../core/redact-url.ts";
import { pruneScheduler, type PersistentTraceStore } from "./persistent-trace-store.ts";
import { likePrefix, traceRow, traceSummary, type TraceRow } from "./trace-row.ts";
import { limitsWithDefaults, type TraceStoreLimits } from "./trace-store-limits.ts";

const LABEL = "trace store";

const MIGRATIONS: PgMigration[] = [
  {
    version: 1,
    async up(client) {
      await client.query(`CREATE TABLE IF NOT EXISTS lmx_traces (
        seq BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE, model TEXT NOT NULL, lm TEXT, status TEXT NOT NULL, error TEXT,
        stream BOOLEAN NOT NULL, start BIGINT NOT NULL, duration_ms DOUBLE PRECISION NOT NULL, usage TEXT NOT NULL,
        root TEXT NOT NULL, bytes BIGINT NOT NULL)`);
      await client.query("CREATE INDEX IF NOT EXISTS lmx_traces_start ON lmx_traces (start)");
      // Prefix lookups (`lmx trace 3f2a`) use the index with text_pattern_ops whatever the collation.
      await client.query("CREATE INDEX IF NOT EXISTS lmx_traces_id_prefix ON lmx_traces (id text_pattern_ops)");
    },
  },
];

const SUMMARY = "id, model, lm, status, error, stream, start, duration_ms, usage";

export interface PgTraceStoreOptions extends TraceStoreLimits {
  /** Read only (`lmx trace`): no background pruning. */
  mustExist?: boolean;
  /** How often the background pruning runs while the store is open (default 10 min). */
  pruneEveryMs?: number;
  /** Test seam: the clock for maxAgeMs. */
  now?: () => number;
}

/**
 * The trace store in PostgreSQL, shared by every `lmx serve` instance: the same rows, bounds and
 * cuts as the SQLite file (see trace-store.contract.ts). The bounds hold across instances, since
 * every instance prunes the one table.
 */
export function pgTraceStore(db: PgDatabase, options: PgTraceStoreOptions = {}): PersistentTraceStore {
  const ready = migrateOnce(db, { component: "traces", label: LABEL, migrations: MIGRATIONS });
  const limits = limitsWithDefaults(options);
  const now = options.now ?? Date.now;
  const pruneCount = "DELETE FROM lmx_traces WHERE seq <= (SELECT max(seq) FROM lmx_traces) - $1";

  const prune = async (): Promise<number> => {
    await ready();
    return db.transaction(LABEL, "prune traces", async (client) => {
      const age = await client.query("DELETE FROM lmx_traces WHERE start < $1", [now() - limits.maxAgeMs]);
      // The newest traces whose sizes add up to at most maxBytes stay; everything older goes.
      const bytes = await client.query(
        `DELETE FROM lmx_traces WHERE seq <= (SELECT max(seq) FROM
           (SELECT seq, sum(bytes) OVER (ORDER BY seq DESC) AS kept FROM lmx_traces) AS sized WHERE kept > $1)`,
        [limits.maxBytes],
      );
      const count = await client.query(pruneCount, [limits.capacity]);
      return (age.rowCount ?? 0) + (bytes.rowCount ?? 0) + (count.rowCount ?? 0);
    });
  };
  const pruning = pruneScheduler(prune, {
    slice: limits.maxBytes / 16,
    everyMs: options.pruneEveryMs,
    timer: !options.mustExist,
  });
  let closed = false;

  return {
    where: redactUrl(db.url),
    async add(entry) {
      const row: TraceRow = traceRow(entry, limits);
      await ready();
      await db.transaction(LABEL, "save a trace", async (client) => {
        await client.query(
          `INSERT INTO lmx_traces (id, model, lm, status, error, stream, start, duration_ms, usage, root, bytes)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (id) DO UPDATE SET model = excluded.model, lm = excluded.lm, status = excluded.status, error = excluded.error,
             stream = excluded.stream, start = excluded.start, duration_ms = excluded.duration_ms, usage = excluded.usage,
             root = excluded.root, bytes = excluded.bytes`,
          [
            row.id,
            row.model,
            row.lm,
            row.status,
            row.error,
            row.stream,
            row.start,
            row.duration_ms,
            row.usage,
            row.root,
            row.bytes,
          ],
        );
        await client.query(pruneCount, [limits.capacity]);
      });
      pruning.wrote(row.bytes);
    },
    async get(id) {
      await ready();
      const { rows } = await db.query(LABEL, "read a trace", `SELECT ${SUMMARY}, root FROM lmx_traces WHERE id = $1`, [
        id,
      ]);
      const row = rows[0];
      return row
        ? ({ ...traceSummary(row as never), root: JSON.parse(row.root as string) as SpanJSON } satisfies StoredTrace)
        : undefined;
    },
    async list({ limit = 50 } = {}) {
      await ready();
      const { rows } = await db.query(
        LABEL,
        "list traces",
        `SELECT ${SUMMARY} FROM lmx_traces ORDER BY seq DESC LIMIT $1`,
        [Math.max(0, Math.floor(limit))],
      );
      return rows.map((row) => traceSummary(row as never));
    },
    async idsStartingWith(prefix, limit = 10) {
      await ready();
      const { rows } = await db.query<{ id: string }>(
        LABEL,
        "find traces",
        "SELECT id FROM lmx_traces WHERE id LIKE $1 ESCAPE '\\' ORDER BY seq DESC LIMIT $2",
        [likePrefix(prefix), limit],
      );
      return rows.map((r) => r.id);
    },
    prune,
    async storedBytes() {
      await ready();
      const { rows } = await db.query<{ n: string }>(
        LABEL,
        "measure traces",
        "SELECT coalesce(sum(bytes), 0) AS n FROM lmx_traces",
      );
      return Number(rows[0]?.n ?? 0);
    },
    async close() {
      if (closed) return;
      closed = true;
      await pruning.stop();
    },
  };
}
