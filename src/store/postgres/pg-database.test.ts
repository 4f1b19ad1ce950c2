import assert from "node:assert/strict";
import { after, test } from "node:test";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { PgDatabase } from "./pg-database.ts";
import { migrate, type PgMigration } from "./pg-migrate.ts";
import { createTestDatabase } from "./testing/test-database.ts";

const database = await createTestDatabase();
if (database) {
  after(() => database.drop());

  test("12 instances migrating a fresh database at once all succeed, and the schema is made once", async () => {
    let created = 0;
    const migrations: PgMigration[] = [
      {
        version: 1,
        async up(client) {
          created++;
          // No IF NOT EXISTS: a second run of this step would fail.
          await client.query("CREATE TABLE race_items (id INTEGER PRIMARY KEY)");
          await client.query("SELECT pg_sleep(0.05)");
        },
      },
      { version: 2, up: async (client) => void (await client.query("ALTER TABLE race_items ADD COLUMN name TEXT")) },
    ];
    const instances = Array.from({ length: 12 }, () => new PgDatabase({ url: database.url, maxConnections: 2 }));
    try {
      const found = await Promise.all(
        instances.map((db) => migrate(db, { component: "race", label: "race store", migrations })),
      );
      assert.equal(created, 1, "the first step ran once");
      assert.deepEqual(
        found.filter((v) => v === 0).length,
        1,
        "one instance found the fresh database, the others found it migrated",
      );
      const { rows } = await instances[0]!.query(
        "test",
        "read",
        "SELECT version FROM lmx_schema WHERE component = 'race'",
      );
      assert.equal(rows[0]!.version, 2);
      // A database from a newer lmx is refused with a clear error.
      await assert.rejects(
        migrate(instances[0]!, { component: "race", label: "race store", migrations: migrations.slice(0, 1) }),
        (e) => ConfigurationError.isInstance(e) && /schema version 2, but this lmx reads version 1/.test(e.message),
      );
    } finally {
      await Promise.all(instances.map((db) => db.close()));
    }
  });

  test("connections ended by the server fail no later operation, and never crash the process", async () => {
    const db = new PgDatabase({ url: database.url, maxConnections: 4 });
    try {
      // Fill the pool with idle connections.
      await Promise.all(Array.from({ length: 4 }, () => db.query("test", "warm up", "SELECT pg_sleep(0.02)")));
      const ended = await database.admin(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        [database.name],
      );
      assert.ok(ended.rowCount! >= 1);
      // At once, before the pool has heard of every ending: the dead idle connections are passed over.
      for (let i = 0; i < 6; i++) {
        const { rows } = await db.query<{ n: number }>("test", "read", "SELECT 1 AS n");
        assert.equal(rows[0]!.n, 1);
      }
    } finally {
      await db.close();
    }
  });

  test("a connection cut in the middle of a statement is a clear error for that operation, then the store recovers", async () => {
    const db = new PgDatabase({ url: database.url, maxConnections: 2 });
    try {
      let settled: unknown = "pending";
      const running = db.query("cache", "read from the cache", "SELECT pg_sleep(5)").then(
        () => (settled = "resolved"),
        (e: unknown) => (settled = e),
      );
      // The statement is tried once more on a new connection (its first was lost): end connections until it fails.
      for (let i = 0; i < 20 && settled === "pending"; i++) {
        await new Promise((r) => setTimeout(r, 150));
        await database.admin(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'SELECT pg_sleep(5)%'",
          [database.name],
        );
      }
      await running;
      assert.ok(ConfigurationError.isInstance(settled), `got ${String(settled)}`);
      assert.match(settled.message, /cache at postgres:\/\/.*PostgreSQL failed to read from the cache/);
      assert.match(settled.message, /reconnects/);
      const { rows } = await db.query<{ n: number }>("test", "read", "SELECT 2 AS n");
      assert.equal(rows[0]!.n, 2);
    } finally {
      await db.close();
    }
  });
}

test("PostgreSQL not answering is a clear error per operation, without the password", async () => {
  // Port 1 on loopback: nothing listens there.
  const db = new PgDatabase({ url: "postgres://lmx:secret@127.0.0.1:1/lmx", connectTimeoutMs: 1000 });
  try {
    for (let i = 0; i < 2; i++)
      await assert.rejects(db.query("trace store", "list traces", "SELECT 1"), (e) => {
        assert.ok(ConfigurationError.isInstance(e));
        assert.match(
          e.message,
          /^trace store at postgres:\/\/lmx:\*\*\*@127\.0\.0\.1:1\/lmx: PostgreSQL failed to list traces/,
        );
        assert.doesNotMatch(e.message, /secret/);
        return true;
      });
  } finally {
    await db.close();
  }
});
