import { randomBytes } from "node:crypto";
import pg from "pg";

/** The test PostgreSQL server (`.ci/run` starts it); LMX_TEST_PG overrides it. */
const SERVER = process.env.LMX_TEST_PG ?? "postgres://postgres@127.0.0.1:5432";

export interface TestDatabase {
  /** URL of a fresh database of its own. */
  url: string;
  /** Database name, for pg_stat_activity. */
  name: string;
  /** Runs SQL as the server's superuser on the admin database (to end connections, ...). */
  admin(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
  /** Ends every connection and drops the database. */
  drop(): Promise<void>;
}

let announced = false;

/**
 * A fresh database `lmx_t_<random>` on the test server, for one test file (other engineers' tests
 * share the server), or undefined, after one printed line, when no PostgreSQL answers.
 */
export async function createTestDatabase(): Promise<TestDatabase | undefined> {
  const adminUrl = `${SERVER}/postgres`;
  const admin = async (sql: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
    client.on("error", () => {});
    await client.connect();
    try {
      return await client.query(sql, params);
    } finally {
      await client.end().catch(() => {});
    }
  };
  const name = `lmx_t_${randomBytes(6).toString("hex")}`;
  try {
    await admin(`CREATE DATABASE ${name}`);
  } catch (error) {
    if (!announced) console.log(`# skipped: no PostgreSQL answers at ${SERVER} (${(error as Error).message})`);
    announced = true;
    return undefined;
  }
  return {
    url: `${SERVER}/${name}`,
    name,
    admin,
    async drop() {
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
