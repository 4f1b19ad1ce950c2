import type Database from "better-sqlite3";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import type { RunContext } from "../../core/types.ts";
import type { Embedder } from "../../embeddings/embedder.ts";
import { readMeta, writeMeta } from "../sqlite/store-meta.ts";

export interface StoreVectorsOptions {
  db: Database.Database;
  /** Name of the vec0 table (its rowids are the ids of the rows it embeds). */
  table: string;
  /** "document index at /x.sqlite", for error messages. */
  what: string;
  embedder?: Embedder;
}

export interface Neighbour {
  id: number;
  /** Cosine distance (0 = same direction). */
  distance: number;
}

const EMBEDDER_KEY = "embedder";
const DIMENSIONS_KEY = "embedder_dimensions";

/**
 * The vector half of a store: a sqlite-vec `vec0` table of float vectors under cosine distance,
 * created at the first write with the embedder's vector length. The store remembers which embedder
 * built it, and refuses another one instead of mixing incomparable vectors.
 */
export class StoreVectors {
  readonly embedder?: Embedder;
  private readonly db: Database.Database;
  private readonly table: string;
  private readonly what: string;
  /** Cached once the table is known to exist; `reset()` forgets it after a rolled-back transaction. */
  private knownBuilt = false;
  private statements?: {
    insert: Database.Statement;
    remove: Database.Statement;
    has: Database.Statement<[bigint], number>;
  };

  constructor(options: StoreVectorsOptions) {
    this.db = options.db;
    this.table = options.table;
    this.what = options.what;
    this.embedder = options.embedder;
    const built = this.builtWith();
    if (
      this.embedder &&
      built.id !== undefined &&
      (built.id !== this.embedder.id ||
        (this.embedder.dimensions !== undefined && this.embedder.dimensions !== built.dimensions))
    )
      throw this.mismatch(this.embedder.dimensions);
  }

  /** The embedder (spec and vector length) the store's vectors were made with, if any. */
  builtWith(): { id?: string; dimensions?: number } {
    const id = readMeta(this.db, EMBEDDER_KEY);
    const dims = readMeta(this.db, DIMENSIONS_KEY);
    return { id, dimensions: dims === undefined ? undefined : Number(dims) };
  }

  /** Whether the store has a vector table to search. */
  get built(): boolean {
    this.knownBuilt ||= this.db.prepare("SELECT 1 FROM sqlite_master WHERE name = ?").get(this.table) !== undefined;
    return this.knownBuilt;
  }

  /** Forget cached state (call after a transaction that may have created the table rolled back). */
  reset(): void {
    this.knownBuilt = false;
    this.statements = undefined;
  }

  private prepared() {
    this.statements ??= {
      // vec0 takes only integer rowids, which better-sqlite3 binds from BigInt.
      insert: this.db.prepare(`INSERT INTO ${this.table} (rowid, embedding) VALUES (?, ?)`),
      remove: this.db.prepare(`DELETE FROM ${this.table} WHERE rowid = ?`),
      has: this.db.prepare<[bigint], number>(`SELECT 1 FROM ${this.table} WHERE rowid = ?`).pluck(),
    };
    return this.statements;
  }

  /** Vectors for `texts` from the configured embedder, checked against the store's vector length. */
  async embed(texts: string[], ctx?: RunContext): Promise<Float32Array[]> {
    const embedder = this.requireEmbedder();
    if (texts.length === 0) return [];
    const vectors = await embedder.embed(texts, ctx);
    if (vectors.length !== texts.length)
      throw new ConfigurationError(
        `embedder ${embedder.id} returned ${vectors.length} vectors for ${texts.length} texts`,
      );
    const expected = this.builtWith().dimensions ?? vectors[0]!.length;
    for (const v of vectors) if (v.length !== expected) throw this.mismatch(v.length);
    return vectors.map((v) => Float32Array.from(v));
  }

  /** Stores the vector of row `id` (inside the caller's transaction); the first write creates the table. */
  write(id: number, vector: Float32Array): void {
    if (!this.built) {
      const embedder = this.requireEmbedder();
      this.db.exec(
        `CREATE VIRTUAL TABLE ${this.table} USING vec0(embedding float[${vector.length}] distance_metric=cosine)`,
      );
      writeMeta(this.db, EMBEDDER_KEY, embedder.id);
      writeMeta(this.db, DIMENSIONS_KEY, String(vector.length));
    }
    // vec0 has no upsert: replace = delete, then insert.
    const { insert, remove } = this.prepared();
    remove.run(BigInt(id));
    insert.run(BigInt(id), vector);
  }

  delete(ids: readonly number[]): void {
    if (ids.length === 0 || !this.built) return;
    const { remove } = this.prepared();
    for (const id of ids) remove.run(BigInt(id));
  }

  /** Ids among `ids` that have no vector yet (rows added while no embedder was configured). */
  missing(ids: readonly number[]): number[] {
    if (!this.built) return [...ids];
    const { has } = this.prepared();
    return ids.filter((id) => has.get(BigInt(id)) === undefined);
  }

  /** The `k` rows nearest to `query`'s vector, nearest first; [] when the store has no vectors. */
  async nearest(query: string, k: number, ctx?: RunContext): Promise<Neighbour[]> {
    if (!this.built || k < 1) return [];
    const [vector] = await this.embed([query], ctx);
    return this.db
      .prepare<[Float32Array, number], { id: number; distance: number }>(
        `SELECT rowid AS id, distance FROM ${this.table} WHERE embedding MATCH ? AND k = ? ORDER BY distance`,
      )
      .all(vector!, k);
  }

  private requireEmbedder(): Embedder {
    if (!this.embedder) throw new ConfigurationError(`${this.what}: no embedder is configured`);
    return this.embedder;
  }

  private mismatch(dimensions: number | undefined): ConfigurationError {
    const built = this.builtWith();
    const mine = this.embedder
      ? `"${this.embedder.id}"${dimensions === undefined ? "" : ` (${dimensions} dimensions)`}`
      : "another embedder";
    return new ConfigurationError(
      `${this.what} was built with embedder "${built.id}" (${built.dimensions} dimensions), but this run uses ${mine}. ` +
        `Vectors of different embedders cannot be compared: use the same embedder, or build a new index in another file.`,
    );
  }
}
