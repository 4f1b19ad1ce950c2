import { after, before } from "node:test";
import { PgDatabase } from "../store/postgres/pg-database.ts";
import { createTestDatabase, type TestDatabase } from "../store/postgres/testing/test-database.ts";
import { evalStoreContract } from "./eval-store.contract.ts";
import { PgEvalStore } from "./pg-eval-store.ts";

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
  evalStoreContract("PostgreSQL", async () => {
    const store = new PgEvalStore(db);
    await store.finished({ dataset: "", model: "", technique: "" }); // migrated
    await db.query("test", "empty the results", "TRUNCATE lmx_eval_results");
    return store;
  });
}
