import { after, before } from "node:test";
import { PgDatabase } from "../postgres/pg-database.ts";
import { createTestDatabase, type TestDatabase } from "../postgres/testing/test-database.ts";
import { memoryStoreContract } from "./memory-store.contract.ts";
import { PgMemoryStore } from "./pg-memory-store.ts";

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
  memoryStoreContract("PostgreSQL", async ({ name, embedder }) => new PgMemoryStore(db, { name, embedder }));
}
