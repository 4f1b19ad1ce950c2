import { randomUUID } from "node:crypto";
import type { PgMigration } from "../store/postgres/pg-migrate.ts";

/** The meta row holding the store's identity (see EvalStore.identity). */
export const PG_EVAL_IDENTITY_KEY = "store_id";

/** The eval results store's tables in PostgreSQL, version by version (run under the migration lock). */
export const PG_EVAL_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    async up(client) {
      await client.query(`CREATE TABLE IF NOT EXISTS lmx_eval_results (
        dataset TEXT NOT NULL, model TEXT NOT NULL, technique TEXT NOT NULL, question_id TEXT NOT NULL,
        correct SMALLINT NOT NULL, answer TEXT, gold TEXT NOT NULL, text TEXT NOT NULL, finish_reason TEXT,
        calls INTEGER NOT NULL, samples INTEGER NOT NULL, prompt_tokens BIGINT NOT NULL, completion_tokens BIGINT NOT NULL,
        cost_usd DOUBLE PRECISION NOT NULL, latency_ms DOUBLE PRECISION NOT NULL, error TEXT, trace_id TEXT, trace BYTEA,
        created_at BIGINT NOT NULL, PRIMARY KEY (dataset, model, technique, question_id))`);
      await client.query(
        "CREATE INDEX IF NOT EXISTS lmx_eval_results_trace_id ON lmx_eval_results (trace_id text_pattern_ops)",
      );
    },
  },
  {
    // The store's identity, made once: a database from before it gets one here, its results untouched.
    version: 2,
    async up(client) {
      await client.query("CREATE TABLE IF NOT EXISTS lmx_eval_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
      await client.query("INSERT INTO lmx_eval_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", [
        PG_EVAL_IDENTITY_KEY,
        randomUUID(),
      ]);
    },
  },
];
