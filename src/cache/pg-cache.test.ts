import { openTestPgDatabase } from "../store/postgres/testing/open-test-pg-database.ts";
import { cacheStoreContract } from "./cache-store.contract.ts";
import { PgCache } from "./pg-cache.ts";

const opened = await openTestPgDatabase();
if (opened) {
  const { db } = opened;
  cacheStoreContract("PostgreSQL", async () => {
    const cache = new PgCache(db);
    await cache.clear();
    return cache;
  });
}
