import type { RunContext } from "../../core/types.ts";
import { hybridRank, type RankedId, type SearchMode } from "../ranking/hybrid-rank.ts";
import type { PgDatabase } from "./pg-database.ts";
import { anyTermQuery, type PgEmbeddings } from "./pg-embeddings.ts";

export interface PgHybridRankOptions {
  db: PgDatabase;
  vectors: PgEmbeddings;
  /** The store's label and the action named in errors of the word search. */
  label: string;
  action: string;
  /** A table with `id`, `tsv` and `embedding` columns, and its rows in scope (a SQL condition on $1). */
  table: string;
  scope: string;
  scopeValue: unknown;
  query: string;
  /** The query's words for PostgreSQL text search (see queryTerms). */
  terms: string[];
  k: number;
  mode: SearchMode;
  ctx?: RunContext;
  /** Orders rows of equal text rank: "id" or "id DESC". */
  ties: "id" | "id DESC";
}

/**
 * Ranks a PostgreSQL store's rows for a query (hybridRank): words by ts_rank over the `tsv` column,
 * vectors by PgEmbeddings.nearest, searching vectors only once the store has some.
 */
export async function pgHybridRank(options: PgHybridRankOptions): Promise<RankedId[]> {
  const { db, vectors, table, scope, scopeValue, terms } = options;
  const built = (await vectors.builtWith()).id !== undefined;
  return hybridRank({
    query: options.query,
    k: options.k,
    mode: options.mode,
    ctx: options.ctx,
    vectors: {
      embedder: vectors.embedder,
      built,
      nearest: (query, k, ctx) => vectors.nearest({ table, scope, scopeValue, query, k, ctx }),
    },
    bm25: async (limit) => {
      if (terms.length === 0) return [];
      const { rows } = await db.query<{ id: string; rank: number }>(
        options.label,
        options.action,
        `SELECT id, -ts_rank(tsv, q) AS rank FROM ${table}, (SELECT ${anyTermQuery(terms, 3)} AS q) AS query
         WHERE ${scope} AND tsv @@ q ORDER BY rank, ${options.ties} LIMIT $2`,
        [scopeValue, limit, ...terms],
      );
      return rows.map((r) => ({ id: Number(r.id), rank: Number(r.rank) }));
    },
  });
}
