import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { onceSucceeded } from "./once-succeeded.ts";
import type { PgClient, PgDatabase } from "./pg-database.ts";
import { redactUrl } from "../../core/redact-url.ts";

/** One step of a store's schema: the statements that take it from `version - 1` to `version`. */
export interface PgMigration {
  version: number;
  up(client: PgClient): Promise<void>;
}

/** Every lmx store in one database records its schema version here, one row per store kind. */
export const SCHEMA_TABLE = "lmx_schema";
// One lock for every lmx migration in the database: instances starting together take turns.
const LOCK_KEY = 0x6c6d78; // "lmx"

/**
 * Brings store `component`'s tables to the newest of `migrations`, in one transaction under a
 * PostgreSQL advisory lock, so any number of lmx instances may start at once on a fresh database:
 * the first migrates, the others wait and then find nothing to do. A database migrated by a newer
 * lmx is refused. Returns the version found before.
 */
export async function migrate(
  db: PgDatabase,
  options: { component: string; label: string; migrations: readonly PgMigration[] },
): Promise<number> {
  const { component, label, migrations } = options;
  const latest = Math.max(0, ...migrations.map((m) => m.version));
  return db.transaction(label, "migrate its tables", async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1)", [LOCK_KEY]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${SCHEMA_TABLE} (component TEXT PRIMARY KEY, version INTEGER NOT NULL, migrated_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
    );
    const found = await client.query<{ version: number }>(`SELECT version FROM ${SCHEMA_TABLE} WHERE component = $1`, [
      component,
    ]);
    const from = found.rows[0]?.version ?? 0;
    if (from > latest)
      throw new ConfigurationError(
        `${label} in ${redactUrl(db.url)} has schema version ${from}, but this lmx reads version ${latest}. Upgrade lmx, or point "store" at another database.`,
      );
    for (const step of [...migrations].sort((a, b) => a.version - b.version))
      if (step.version > from) await step.up(client);
    if (from < latest)
      await client.query(
        `INSERT INTO ${SCHEMA_TABLE} (component, version) VALUES ($1, $2) ON CONFLICT (component) DO UPDATE SET version = excluded.version, migrated_at = now()`,
        [component, latest],
      );
    return from;
  });
}

/**
 * `migrate` run once, on first use, shared by every operation of a store: a store can be built
 * without waiting (and without PostgreSQL answering yet); a failed migration is tried again by the
 * next operation, so a store opened while PostgreSQL was down works once it is back.
 */
export function migrateOnce(
  db: PgDatabase,
  options: { component: string; label: string; migrations: readonly PgMigration[] },
): () => Promise<void> {
  return onceSucceeded(async () => {
    await migrate(db, options);
  });
}
