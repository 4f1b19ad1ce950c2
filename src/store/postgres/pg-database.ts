import pg from "pg";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { isConnectionLost, pgStoreError } from "./pg-store-error.ts";
import { redactUrl } from "../../core/redact-url.ts";

export interface PgDatabaseOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** Connections kept open at most (default 10). */
  maxConnections?: number;
  /** How long connecting may take before an operation fails (default 5000 ms). */
  connectTimeoutMs?: number;
  /** How long one statement may run (default 30000 ms). */
  statementTimeoutMs?: number;
}

export type PgClient = pg.PoolClient;

/**
 * A pool of connections to one PostgreSQL database, shared by the stores that live in it. Every
 * failure becomes a ConfigurationError naming the store and what was being done; a connection the
 * server drops is discarded by the pool (its 'error' events are handled here, never left to crash the
 * process), and an operation that met a dropped connection is tried again on the next (every pooled
 * one may have been ended at once, as pg_terminate_backend or a server restart does).
 */
export class PgDatabase {
  readonly url: string;
  private readonly pool: pg.Pool;
  private readonly maxConnections: number;
  private closed = false;

  constructor(options: PgDatabaseOptions) {
    this.url = options.url;
    this.maxConnections = options.maxConnections ?? 10;
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: this.maxConnections,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      statement_timeout: options.statementTimeoutMs ?? 30_000,
      // As SQLite's WAL with synchronous=NORMAL: a commit survives lmx crashing, and only a crash of the
      // database server itself may lose the last fraction of a second. Saves a disk flush per write.
      options: "-c synchronous_commit=off",
      idleTimeoutMillis: 30_000,
      allowExitOnIdle: true,
    });
    // An idle connection the server ends emits 'error' on the pool; the pool drops it and the next
    // operation connects anew. Without this listener the process would crash.
    this.pool.on("error", () => {});
  }

  /** Runs one statement for a store labelled `label`; `action` says what it was for, in errors. */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    label: string,
    action: string,
    sql: string,
    params: unknown[] = [],
  ): Promise<pg.QueryResult<R>> {
    return this.withClient(label, action, (client) => client.query<R>(sql, params));
  }

  /** Runs `fn` in one transaction (retried once on a fresh connection when the first was lost). */
  async transaction<T>(label: string, action: string, fn: (client: PgClient) => Promise<T>): Promise<T> {
    return this.withClient(label, action, async (client) => {
      await client.query("BEGIN");
      try {
        const out = await fn(client);
        await client.query("COMMIT");
        return out;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      }
    });
  }

  private async withClient<T>(label: string, action: string, fn: (client: PgClient) => Promise<T>): Promise<T> {
    if (this.closed) throw pgStoreError({ url: this.url, label, action, error: new Error("the store was closed") });
    for (let attempt = 0; ; attempt++) {
      let client: PgClient | undefined;
      let lost = false;
      try {
        client = await this.pool.connect();
        // A connection that breaks while checked out emits 'error' on the client, not the pool.
        client.on("error", onClientError);
        return await fn(client);
      } catch (error) {
        if (ConfigurationError.isInstance(error)) throw error; // already says what went wrong
        lost = isConnectionLost(error);
        // A connection that was already dead when taken from the pool (the server ended them all): take
        // the next; each dead one is dropped, so at most the pool's size of them, then a new connection.
        if (lost && client !== undefined && attempt < this.maxConnections) continue;
        throw pgStoreError({ url: this.url, label, action, error });
      } finally {
        if (client) {
          client.off("error", onClientError);
          client.release(lost ? true : undefined);
        }
      }
    }
  }

  /** Closes every connection. Closing twice is harmless. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  toString(): string {
    return redactUrl(this.url);
  }
}

function onClientError(): void {
  // Reported by the query that was running; the connection is discarded on release.
}
