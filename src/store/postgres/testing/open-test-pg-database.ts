import { after } from "node:test";
import { PgDatabase } from "../pg-database.ts";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";

/**
 * A PgDatabase on a fresh test database for one test file, closed and its database dropped after the
 * file's tests; undefined (the file skips its PostgreSQL tests) when no PostgreSQL answers.
 */
export async function openTestPgDatabase(): Promise<{ db: PgDatabase; database: TestDatabase } | undefined> {
  const database = await createTestDatabase();
  if (!database) return undefined;
  // The pool connects on first use.
  const db = new PgDatabase({ url: database.url });
  after(async () => {
    await db.close();
    await database.drop();
  });
  return { db, database };
}
