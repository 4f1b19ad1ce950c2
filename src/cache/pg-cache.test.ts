import { after, before } from "node:test";
import { PgDatabase } from "../store/postgres/pg-database.ts";
import { createTestDatabase, type TestDatabase } from "../store/postgres/testing/test-database.ts";
import { cacheStoreContract } from "./cache-store.contract.ts";
import { PgCache } from "./pg-cache.ts";

const database = await createTestDatabase();
if (database) {
  let db: PgDatabase;
  before(() => {
    db = new PgDatabase({ url: (database as TestDatabase).url });
  });
  after(async () => {
    await db.close();
    await database.drop();
  });
  cacheStoreContract("PostgreSQL", async () => {
    const cache = new PgCache(db);
    await cache.clear();
    return cache;
  });
}
