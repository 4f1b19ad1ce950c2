import type { PgDatabase } from "../store/postgres/pg-database.ts";
import { migrateOnce, type PgMigration } from "../store/postgres/pg-migrate.ts";
import { parseCachedSample, type CacheStore, type CachedSample } from "./response-cache.ts";

const LABEL = "response cache";

const MIGRATIONS: PgMigration[] = [
  {
    version: 1,
    async up(client) {
      await client.query(
        "CREATE TABLE IF NOT EXISTS lmx_cache (key TEXT PRIMARY KEY, value TEXT NOT NULL, created_at BIGINT NOT NULL)",
      );
    },
  },
];

/**
 * The response cache in PostgreSQL, so every `lmx serve` instance behind a load balancer replays what
 * any of them stored. Same contract as SqliteCache (src/cache/cache-store.contract.ts).
 */
export class PgCache implements CacheStore {
  /** Migrates the cache's table on first use (safe when several instances start at once). */
  private readonly ready: () => Promise<void>;

  constructor(private readonly db: PgDatabase) {
    this.ready = migrateOnce(db, { component: "cache", label: LABEL, migrations: MIGRATIONS });
  }

  async get(key: string): Promise<CachedSample | undefined> {
    await this.ready();
    const { rows } = await this.db.query<{ value: string }>(
      LABEL,
      "read from the cache",
      "SELECT value FROM lmx_cache WHERE key = $1",
      [key],
    );
    return parseCachedSample(rows[0]?.value);
  }

  async set(key: string, sample: CachedSample): Promise<void> {
    await this.ready();
    await this.db.query(
      LABEL,
      "write to the cache",
      "INSERT INTO lmx_cache (key, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET value = excluded.value, created_at = excluded.created_at",
      [key, JSON.stringify(sample), Date.now()],
    );
  }

  async count(): Promise<number> {
    await this.ready();
    const { rows } = await this.db.query<{ n: string }>(
      LABEL,
      "count the cache's entries",
      "SELECT count(*) AS n FROM lmx_cache",
    );
    return Number(rows[0]?.n ?? 0);
  }

  async clear(): Promise<number> {
    await this.ready();
    return (await this.db.query(LABEL, "clear the cache", "DELETE FROM lmx_cache")).rowCount ?? 0;
  }

  /** The database's connections belong to whoever opened it (openStores closes them). */
  async close(): Promise<void> {}
}
