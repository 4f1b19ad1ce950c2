import { openTestPgDatabase } from "../store/postgres/testing/open-test-pg-database.ts";
import { evalStoreContract } from "./eval-store.contract.ts";
import { PgEvalStore } from "./pg-eval-store.ts";

const opened = await openTestPgDatabase();
if (opened) {
  const { db } = opened;
  evalStoreContract("PostgreSQL", async () => {
    const store = new PgEvalStore(db);
    await store.finished({ dataset: "", model: "", technique: "" }); // migrated
    await db.query("test", "empty the results", "TRUNCATE lmx_eval_results");
    return store;
  });
}
