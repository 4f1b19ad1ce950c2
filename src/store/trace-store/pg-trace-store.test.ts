import assert from "node:assert/strict";
import { test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { PgDatabase } from "../postgres/pg-database.ts";
import { openTestPgDatabase } from "../postgres/testing/open-test-pg-database.ts";
import { pgTraceStore } from "./pg-trace-store.ts";
import { traceStoreContract } from "./trace-store.contract.ts";

const opened = await openTestPgDatabase();
if (opened) {
  const { db, database } = opened;
  traceStoreContract("PostgreSQL", async (options) => {
    const store = pgTraceStore(db, options);
    await store.storedBytes(); // migrated
    await db.query("test", "empty the traces", "TRUNCATE lmx_traces");
    return store;
  });

  test("two instances share one trace table: what one saves, the other lists, within one capacity", async () => {
    const other = new PgDatabase({ url: database.url });
    const a = pgTraceStore(db, { capacity: 4 });
    const b = pgTraceStore(other, { capacity: 4 });
    try {
      await a.storedBytes();
      await db.query("test", "empty the traces", "TRUNCATE lmx_traces");
      for (let i = 0; i < 6; i++)
        await (i % 2 ? a : b).add({ span: createRunContext({ name: `r${i}` }).span, model: `m${i}`, stream: false });
      assert.deepEqual(
        (await a.list()).map((t) => t.model),
        ["m5", "m4", "m3", "m2"],
      );
      assert.deepEqual(await a.list(), await b.list());
    } finally {
      await a.close();
      await b.close();
      await other.close();
    }
  });

  test("with the server's connections ended, an operation fails clearly and the next one works", async () => {
    const store = pgTraceStore(db, {});
    try {
      await store.add({ span: createRunContext({ name: "before" }).span, model: "m", stream: false });
      await database.admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [
        database.name,
      ]);
      // Dead pooled connections are replaced: reads and writes go on.
      await store.add({ span: createRunContext({ name: "after" }).span, model: "m2", stream: false });
      assert.equal((await store.list({ limit: 1 }))[0]!.model, "m2");
    } finally {
      await store.close();
    }
    const closed = new PgDatabase({ url: database.url });
    const store2 = pgTraceStore(closed, {});
    await closed.close();
    await assert.rejects(
      store2.list(),
      (e) => ConfigurationError.isInstance(e) && /^trace store at postgres:.*PostgreSQL failed/.test(e.message),
    );
    await store2.close();
  });
}
