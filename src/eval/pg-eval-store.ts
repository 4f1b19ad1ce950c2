import { randomUUID } from "node:crypto";
import type { PgDatabase } from "../store/postgres/pg-database.ts";
import { migrateOnce } from "../store/postgres/pg-migrate.ts";
import { redactUrl } from "../core/redact-url.ts";
import { likePrefix } from "../store/trace-store/trace-row.ts";
import type { SpanJSON } from "../trace/span.ts";
import { COLUMNS, fromRow, packTrace, unpackTrace, type Row } from "./eval-row.ts";
import type { EvalStore, QuestionResult, RunKey } from "./eval-store.ts";
import { PG_EVAL_IDENTITY_KEY, PG_EVAL_MIGRATIONS } from "./pg-eval-migrations.ts";

const LABEL = "eval results";
/** Traces a `traces()` walk holds at once. */
const PAGE = 50;

const NUMERIC = ["prompt_tokens", "completion_tokens", "cost_usd", "latency_ms", "calls", "samples"] as const;

/**
 * Eval and tune results in PostgreSQL, so several workers (or machines) can evaluate into one place
 * and resume each other's runs. Same rows as the SQLite file (see eval-store.contract.ts).
 */
export class PgEvalStore implements EvalStore {
  readonly path: string;
  private readonly ready: () => Promise<void>;
  private id: string | undefined;

  constructor(private readonly db: PgDatabase) {
    this.path = redactUrl(db.url);
    this.ready = migrateOnce(db, { component: "eval", label: LABEL, migrations: PG_EVAL_MIGRATIONS });
  }

  private async query<R extends Record<string, unknown>>(action: string, sql: string, params: unknown[]) {
    await this.ready();
    return (await this.db.query<R>(LABEL, action, sql, params)).rows;
  }

  /** Made by the migration to version 2, under its lock, so instances starting at once read one id. */
  async identity(): Promise<string> {
    this.id ??= (await this.readIdentity()) ?? (await this.makeIdentity());
    return this.id;
  }

  private async readIdentity(): Promise<string | undefined> {
    const rows = await this.query<{ value: string }>(
      "read its identity",
      "SELECT value FROM lmx_eval_meta WHERE key = $1",
      [PG_EVAL_IDENTITY_KEY],
    );
    return rows[0]?.value;
  }

  /** Only if its row was deleted by hand: the first to insert one wins, and everyone reads that. */
  private async makeIdentity(): Promise<string> {
    await this.query(
      "make its identity",
      "INSERT INTO lmx_eval_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
      [PG_EVAL_IDENTITY_KEY, randomUUID()],
    );
    return (await this.readIdentity())!;
  }

  async finished(key: RunKey): Promise<Set<string>> {
    const rows = await this.query<{ question_id: string }>(
      "read the finished questions",
      "SELECT question_id FROM lmx_eval_results WHERE dataset = $1 AND model = $2 AND technique = $3 AND error IS NULL",
      [key.dataset, key.model, key.technique],
    );
    return new Set(rows.map((r) => r.question_id));
  }

  async save(key: RunKey, result: QuestionResult, trace?: SpanJSON): Promise<void> {
    const values = [
      key.dataset,
      key.model,
      key.technique,
      result.question_id,
      result.correct ? 1 : 0,
      result.answer ?? null,
      result.gold,
      result.text,
      result.finish_reason ?? null,
      result.calls,
      result.samples,
      result.prompt_tokens,
      result.completion_tokens,
      result.cost_usd,
      result.latency_ms,
      result.error ?? null,
      result.trace_id ?? null,
      trace ? packTrace(trace) : null,
      Date.now(),
    ];
    const names = `dataset, model, technique, ${COLUMNS}, trace, created_at`;
    const updates = names
      .split(", ")
      .slice(4)
      .map((c) => `${c} = excluded.${c}`)
      .join(", ");
    await this.query(
      "save a result",
      `INSERT INTO lmx_eval_results (${names}) VALUES (${values.map((_, i) => `$${i + 1}`).join(", ")})
       ON CONFLICT (dataset, model, technique, question_id) DO UPDATE SET ${updates}`,
      values,
    );
  }

  async results(key: RunKey): Promise<QuestionResult[]> {
    const rows = await this.query<Row>(
      "read results",
      `SELECT ${COLUMNS} FROM lmx_eval_results WHERE dataset = $1 AND model = $2 AND technique = $3 ORDER BY question_id COLLATE "C"`,
      [key.dataset, key.model, key.technique],
    );
    return rows.map((row) => fromRow(numbers(row)));
  }

  async trace(key: RunKey, questionId: string): Promise<SpanJSON | undefined> {
    const rows = await this.query<{ trace: Buffer | null }>(
      "read a trace",
      "SELECT trace FROM lmx_eval_results WHERE dataset = $1 AND model = $2 AND technique = $3 AND question_id = $4",
      [key.dataset, key.model, key.technique, questionId],
    );
    const raw = rows[0]?.trace;
    return raw ? unpackTrace(raw) : undefined;
  }

  async *traces(key: RunKey): AsyncIterable<[string, SpanJSON]> {
    // Keyset pages: a run of thousands of traces is read PAGE at a time, never all at once.
    let after = "";
    for (;;) {
      const rows = await this.query<{ question_id: string; trace: Buffer }>(
        "read traces",
        `SELECT question_id, trace FROM lmx_eval_results
         WHERE dataset = $1 AND model = $2 AND technique = $3 AND trace IS NOT NULL AND question_id COLLATE "C" > $4
         ORDER BY question_id COLLATE "C" LIMIT ${PAGE}`,
        [key.dataset, key.model, key.technique, after],
      );
      for (const row of rows) yield [row.question_id, unpackTrace(row.trace)];
      if (rows.length < PAGE) return;
      after = rows.at(-1)!.question_id;
    }
  }

  async findTraces(prefix: string, limit = 10): Promise<SpanJSON[]> {
    const rows = await this.query<{ trace: Buffer }>(
      "find a trace",
      "SELECT trace FROM lmx_eval_results WHERE trace_id LIKE $1 ESCAPE '\\' AND trace IS NOT NULL LIMIT $2",
      [likePrefix(prefix), limit],
    );
    return rows.map((r) => unpackTrace(r.trace));
  }

  /** The database's connections belong to whoever opened it (openStores closes them). */
  async close(): Promise<void> {}
}

/** BIGINT and friends come back from PostgreSQL as text: make them numbers again. */
function numbers(row: Row): Row {
  const out = { ...row } as Record<string, unknown>;
  for (const k of NUMERIC) out[k] = Number(out[k]);
  out.correct = Number(out.correct);
  return out as Row;
}
