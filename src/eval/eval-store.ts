import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import { openSqliteFile } from "../store/sqlite/open-sqlite-file.ts";
import type { SqliteFile } from "../store/sqlite/sqlite-file.ts";
import { createMetaTable, META_TABLE, readMeta } from "../store/sqlite/store-meta.ts";
import type { SpanJSON } from "../trace/span.ts";
import { COLUMNS, fromRow, packTrace, unpackTrace, type Row } from "./eval-row.ts";
import type { QuestionResult } from "./question-result.ts";

export type { QuestionResult } from "./question-result.ts";

export const EVAL_SCHEMA_VERSION = 1;
const LABEL = "eval results file";
// `--results FILE` names the file itself (`--out DIR` only picks its folder).
const ELSEWHERE = "--results";
/** The meta row holding the file's identity. */
const IDENTITY_KEY = "store_id";

/** One run of the dataset: results are keyed by it plus the question id. */
export interface RunKey {
  /** sha256 of the data file. */
  dataset: string;
  model: string;
  /** Canonical technique spec ("none" for the bare model). */
  technique: string;
}

/**
 * Where eval and tune results are kept, question by question: SQLite (`EvalStore.open`, the
 * default) or PostgreSQL (PgEvalStore, via openStores), both passing eval-store.contract.ts.
 */
export interface EvalStore {
  /** The file's path, or the database's URL without its password. */
  readonly path: string;
  /**
   * This store's identity: a random id made once inside the store itself, so every process that
   * opens it (by any path or URL) reads the same id, and two stores never share one. The queue
   * compares the submitter's and a worker's before evaluating.
   */
  identity(): Promise<string>;
  /** Ids of the run's questions that finished without an error (a rerun skips them). */
  finished(key: RunKey): Promise<Set<string>>;
  /** Stores (or replaces) one question's result and trace, committed at once. */
  save(key: RunKey, result: QuestionResult, trace?: SpanJSON): Promise<void>;
  /** The run's results (without traces), in question-id order. */
  results(key: RunKey): Promise<QuestionResult[]>;
  /** The stored trace of one question of a run. */
  trace(key: RunKey, questionId: string): Promise<SpanJSON | undefined>;
  /** Every stored trace of a run, by question id (read a few rows at a time). */
  traces(key: RunKey): AsyncIterable<[string, SpanJSON]>;
  /** Stored question traces whose trace id starts with `prefix` (for `lmx trace`; a full id matches itself). */
  findTraces(prefix: string, limit?: number): Promise<SpanJSON[]>;
  /** Closing twice is harmless. */
  close(): Promise<void>;
}

/** Opens (or creates) a SQLite results file; a file of another program or a newer lmx is refused. */
export const EvalStore = {
  open: (options: { path: string }): EvalStore => SqliteEvalStore.open(options),
};

/**
 * Evaluation results in one SQLite file (WAL; each question committed as it finishes, so a crash
 * or Ctrl-C loses only the questions in flight). Rows hold the metrics, the final text and the
 * question's whole trace, for reports and `lmx trace`.
 */
export class SqliteEvalStore implements EvalStore {
  readonly path: string;
  private readonly file: SqliteFile;
  private readonly saveStatement: Database.Statement;
  private id: string | undefined;

  private constructor(file: SqliteFile) {
    this.path = file.path;
    this.file = file;
    this.saveStatement = file.db.prepare(
      `INSERT INTO results (dataset, model, technique, ${COLUMNS}, trace, created_at)
       VALUES (@dataset, @model, @technique, @question_id, @correct, @answer, @gold, @text, @finish_reason, @calls, @samples, @prompt_tokens, @completion_tokens, @cost_usd, @latency_ms, @error, @trace_id, @trace, @created_at)
       ON CONFLICT (dataset, model, technique, question_id) DO UPDATE SET
         correct = excluded.correct, answer = excluded.answer, gold = excluded.gold, text = excluded.text, finish_reason = excluded.finish_reason,
         calls = excluded.calls, samples = excluded.samples, prompt_tokens = excluded.prompt_tokens, completion_tokens = excluded.completion_tokens,
         cost_usd = excluded.cost_usd, latency_ms = excluded.latency_ms, error = excluded.error, trace_id = excluded.trace_id, trace = excluded.trace, created_at = excluded.created_at`,
    );
  }

  /** Opens (or creates) a results file; a file of another program or a newer lmx is refused. */
  static open(options: { path: string }): SqliteEvalStore {
    const file = openSqliteFile({
      path: options.path,
      label: LABEL,
      elsewhere: ELSEWHERE,
      schemaVersion: EVAL_SCHEMA_VERSION,
      owns: (table) => table === "results" || table === META_TABLE,
      migrate(db) {
        createMetaTable(db);
        db.exec(`CREATE TABLE IF NOT EXISTS results (
          dataset TEXT NOT NULL, model TEXT NOT NULL, technique TEXT NOT NULL, question_id TEXT NOT NULL,
          correct INTEGER NOT NULL, answer TEXT, gold TEXT NOT NULL, text TEXT NOT NULL, finish_reason TEXT,
          calls INTEGER NOT NULL, samples INTEGER NOT NULL, prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL,
          cost_usd REAL NOT NULL, latency_ms REAL NOT NULL, error TEXT, trace_id TEXT, trace BLOB, created_at INTEGER NOT NULL,
          PRIMARY KEY (dataset, model, technique, question_id))`);
        db.exec("CREATE INDEX IF NOT EXISTS results_trace_id ON results (trace_id)");
      },
    });
    return file.build(() => new SqliteEvalStore(file));
  }

  async identity(): Promise<string> {
    // Made on first use, so files from before identities get one too. INSERT OR IGNORE: of processes
    // opening a new file at once, the first row wins and every process reads that one.
    this.id ??= this.file.run("read its identity", (db) => {
      const found = readMeta(db, IDENTITY_KEY);
      if (found) return found;
      db.prepare(`INSERT OR IGNORE INTO ${META_TABLE} (key, value) VALUES (?, ?)`).run(IDENTITY_KEY, randomUUID());
      return readMeta(db, IDENTITY_KEY)!;
    });
    return this.id;
  }

  async finished(key: RunKey): Promise<Set<string>> {
    return this.file.run("read the finished questions", (db) => {
      const ids = db
        .prepare<[string, string, string], string>(
          "SELECT question_id FROM results WHERE dataset = ? AND model = ? AND technique = ? AND error IS NULL",
        )
        .pluck()
        .all(key.dataset, key.model, key.technique);
      return new Set(ids);
    });
  }

  async save(key: RunKey, result: QuestionResult, trace?: SpanJSON): Promise<void> {
    this.file.run("save a result", () =>
      this.saveStatement.run({
        ...key,
        ...result,
        correct: result.correct ? 1 : 0,
        answer: result.answer ?? null,
        finish_reason: result.finish_reason ?? null,
        error: result.error ?? null,
        trace_id: result.trace_id ?? null,
        trace: trace ? packTrace(trace) : null,
        created_at: Date.now(),
      }),
    );
  }

  async results(key: RunKey): Promise<QuestionResult[]> {
    return this.file.run("read results", (db) =>
      db
        .prepare<[string, string, string], Row>(
          `SELECT ${COLUMNS} FROM results WHERE dataset = ? AND model = ? AND technique = ? ORDER BY question_id`,
        )
        .all(key.dataset, key.model, key.technique)
        .map(fromRow),
    );
  }

  async trace(key: RunKey, questionId: string): Promise<SpanJSON | undefined> {
    return this.file.run("read a trace", (db) => {
      const raw = db
        .prepare<[string, string, string, string], Buffer | null>(
          "SELECT trace FROM results WHERE dataset = ? AND model = ? AND technique = ? AND question_id = ?",
        )
        .pluck()
        .get(key.dataset, key.model, key.technique, questionId);
      return raw ? unpackTrace(raw) : undefined;
    });
  }

  async *traces(key: RunKey): AsyncIterable<[string, SpanJSON]> {
    const rows = this.file.run("read traces", (db) =>
      db
        .prepare<[string, string, string], { question_id: string; trace: Buffer }>(
          "SELECT question_id, trace FROM results WHERE dataset = ? AND model = ? AND technique = ? AND trace IS NOT NULL",
        )
        .iterate(key.dataset, key.model, key.technique),
    );
    for (const row of rows) yield [row.question_id, unpackTrace(row.trace)];
  }

  async findTraces(prefix: string, limit = 10): Promise<SpanJSON[]> {
    return this.file.run("find a trace", (db) =>
      db
        .prepare<[string, number], Buffer>(
          "SELECT trace FROM results WHERE trace_id LIKE ? ESCAPE '\\' AND trace IS NOT NULL LIMIT ?",
        )
        .pluck()
        .all(`${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, limit)
        .map(unpackTrace),
    );
  }

  async close(): Promise<void> {
    this.file.close();
  }
}
