import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import type { RunContext } from "../../core/types.ts";
import type { Embedder } from "../../embeddings/embedder.ts";
import type { PgClient, PgDatabase } from "./pg-database.ts";

export interface PgEmbeddingsOptions {
  /** "memory store", "document index": for errors. */
  label: string;
  /** The store as errors name it (URL without password, and its name). */
  what: string;
  /** Key/value table with a `store` column: which embedder built the store. */
  metaTable: string;
  /** The store's name in that table. */
  store: string;
  embedder?: Embedder;
}

/**
 * The vector half of a PostgreSQL store: which embedder built it (refusing another, as StoreVectors
 * does in SQLite), embedding texts checked against the stored vector length, and the cosine nearest
 * rows computed in the database (vectors are REAL[] columns; only the `k` nearest come back).
 */
export class PgEmbeddings {
  readonly embedder?: Embedder;

  constructor(
    private readonly db: PgDatabase,
    private readonly options: PgEmbeddingsOptions,
  ) {
    this.embedder = options.embedder;
  }

  async builtWith(): Promise<{ id?: string; dimensions?: number }> {
    const { rows } = await this.db.query<{ key: string; value: string }>(
      this.options.label,
      `read the ${this.options.label}`,
      `SELECT key, value FROM ${this.options.metaTable} WHERE store = $1`,
      [this.options.store],
    );
    const meta = new Map(rows.map((r) => [r.key, r.value]));
    const dims = meta.get("embedder_dimensions");
    return { id: meta.get("embedder"), dimensions: dims === undefined ? undefined : Number(dims) };
  }

  /** Refuses an embedder other than the one the store was built with. */
  async check(): Promise<void> {
    const built = await this.builtWith();
    const e = this.embedder;
    if (
      e &&
      built.id !== undefined &&
      (built.id !== e.id || (e.dimensions !== undefined && e.dimensions !== built.dimensions))
    )
      throw this.mismatch(built, e.dimensions);
  }

  /** Vectors for `texts`, checked against the store's vector length. */
  async embed(texts: string[], ctx?: RunContext): Promise<Float32Array[]> {
    const embedder = this.embedder;
    if (!embedder) throw new ConfigurationError(`${this.options.what}: no embedder is configured`);
    if (texts.length === 0) return [];
    const vectors = await embedder.embed(texts, ctx);
    if (vectors.length !== texts.length)
      throw new ConfigurationError(
        `embedder ${embedder.id} returned ${vectors.length} vectors for ${texts.length} texts`,
      );
    const built = await this.builtWith();
    const expected = built.dimensions ?? vectors[0]!.length;
    for (const v of vectors) if (v.length !== expected) throw this.mismatch(built, v.length);
    return vectors.map((v) => Float32Array.from(v));
  }

  /** Records the embedder with the first vectors (inside the transaction that writes them). */
  async record(client: PgClient, dimensions: number): Promise<void> {
    await client.query(
      `INSERT INTO ${this.options.metaTable} (store, key, value) VALUES ($1, 'embedder', $2), ($1, 'embedder_dimensions', $3)
       ON CONFLICT (store, key) DO NOTHING`,
      [this.options.store, this.embedder!.id, String(dimensions)],
    );
  }

  /**
   * The rows of `table` (scoped by `scope`, a SQL condition on $1) nearest to `query` by cosine
   * distance, nearest first.
   */
  async nearest(options: {
    table: string;
    scope: string;
    scopeValue: unknown;
    query: string;
    k: number;
    ctx?: RunContext;
  }): Promise<{ id: number; distance: number }[]> {
    if (options.k < 1) return [];
    const [vector] = await this.embed([options.query], options.ctx);
    const norm = Math.hypot(...vector!);
    const { rows } = await this.db.query<{ id: string; distance: number }>(
      this.options.label,
      `search the ${this.options.label}`,
      `SELECT id, 1 - (SELECT sum(a * b) FROM unnest(embedding, $2::real[]) AS pair(a, b))
                   / nullif(sqrt((SELECT sum(a * a) FROM unnest(embedding) AS own(a))) * $3, 0) AS distance
       FROM ${options.table} WHERE ${options.scope} AND embedding IS NOT NULL ORDER BY distance, id LIMIT $4`,
      [options.scopeValue, Array.from(vector!), norm, options.k],
    );
    return rows.map((r) => ({ id: Number(r.id), distance: Number(r.distance) }));
  }

  mismatch(built: { id?: string; dimensions?: number }, dimensions: number | undefined): ConfigurationError {
    const mine = this.embedder
      ? `"${this.embedder.id}"${dimensions === undefined ? "" : ` (${dimensions} dimensions)`}`
      : "another embedder";
    return new ConfigurationError(
      `${this.options.what} was built with embedder "${built.id}" (${built.dimensions} dimensions), but this run uses ${mine}. ` +
        `Vectors of different embedders cannot be compared: use the same embedder, or another ${this.options.label}.`,
    );
  }
}

/** The tsquery of `terms` (each a plainto_tsquery over parameters from `$first`, so user text is never query syntax). */
export function anyTermQuery(terms: readonly string[], first: number): string {
  return terms.map((_, i) => `plainto_tsquery('english', $${i + first})`).join(" || ");
}
