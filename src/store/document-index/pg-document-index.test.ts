import { after, before } from "node:test";
import { PgDatabase } from "../postgres/pg-database.ts";
import { createTestDatabase, type TestDatabase } from "../postgres/testing/test-database.ts";
import { documentIndexContract } from "./document-index.contract.ts";
import { PgDocumentIndex } from "./pg-document-index.ts";

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
  documentIndexContract("PostgreSQL", async (options) => new PgDocumentIndex(db, options));
}
