import { openTestPgDatabase } from "../postgres/testing/open-test-pg-database.ts";
import { memoryStoreContract } from "./memory-store.contract.ts";
import { PgMemoryStore } from "./pg-memory-store.ts";

const opened = await openTestPgDatabase();
if (opened) {
  const { db } = opened;
  memoryStoreContract("PostgreSQL", async ({ name, embedder }) => new PgMemoryStore(db, { name, embedder }));
}
