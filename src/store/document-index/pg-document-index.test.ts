import { openTestPgDatabase } from "../postgres/testing/open-test-pg-database.ts";
import { documentIndexContract } from "./document-index.contract.ts";
import { PgDocumentIndex } from "./pg-document-index.ts";

const opened = await openTestPgDatabase();
if (opened) {
  const { db } = opened;
  documentIndexContract("PostgreSQL", async (options) => new PgDocumentIndex(db, options));
}
