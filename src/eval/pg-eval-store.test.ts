import assert from "node:assert/strict";
import { after, test } from "node:test";
import { PgDatabase } from "../store/postgres/pg-database.ts";
import { migrate } from "../store/postgres/pg-migrate.ts";
import { openTestPgDatabase } from "../store/postgres/testing/open-test-pg-database.ts";
import { createTestDatabase, type TestDatabase } from "../store/postgres/testing/test-database.ts";
import { evalStoreContract } from "./eval-store.contract.ts";
import { PG_EVAL_MIGRATIONS } from "./pg-eval-migrations.ts";
import { PgEvalStore } from "./pg-eval-store.ts";

const opened = await openTestPgDatabase();
if (opened) {
  const { db } = opened;
  const places: TestDatabase[] = [];
  const pools: PgDatabase[] = [];
  after(async () => {
    await Promise.all(pools.map((p) => p.close()));
    await Promise.all(places.map((p) => p.drop()));
  });
  evalStoreContract("PostgreSQL", {
    async open() {
      const store = new PgEvalStore(db);
      await store.finished({ dataset: "", model: "", technique: "" }); // migrated
      await db.query("test", "empty the results", "TRUNCATE lmx_eval_results");
      return store;
    },
    // A new database, each opening with a pool of its own under another URL (as another machine's).
    async place() {
      const database = (await createTestDatabase())!;
      places.push(database);
      return async (nth) => {
        const pool = new PgDatabase({ url: nth ? `${database.url}?application_name=lmx-test-${nth}` : database.url });
        pools.push(pool);
        return new PgEvalStore(pool);
      };
    },
  });

  test("a database of results from before identities is upgraded on open, its results untouched", async () => {
    const database = (await createTestDatabase())!;
    places.push(database);
    const older = new PgDatabase({ url: database.url });
    pools.push(older);
    await migrate(older, { component: "eval", label: "test", migrations: PG_EVAL_MIGRATIONS.slice(0, 1) });
    await older.query(
      "test",
      "save as an older lmx did",
      `INSERT INTO lmx_eval_results (dataset, model, technique, question_id, correct, gold, text, calls, samples,
         prompt_tokens, completion_tokens, cost_usd, latency_ms, created_at)
       VALUES ('d', 'm', 'none', 'q1', 1, '1', 'one', 1, 1, 2, 3, 0.5, 10, 0)`,
    );
    const store = new PgEvalStore(older);
    const id = await store.identity();
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal(await new PgEvalStore(older).identity(), id);
    const rows = await store.results({ dataset: "d", model: "m", technique: "none" });
    assert.deepEqual(
      rows.map((r) => [r.question_id, r.text, r.completion_tokens]),
      [["q1", "one", 3]],
    );
    const version = await older.query(
      "test",
      "read the version",
      "SELECT version FROM lmx_schema WHERE component = 'eval'",
    );
    assert.equal(version.rows[0]?.version, 2);
  });
}
