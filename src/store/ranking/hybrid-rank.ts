import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import type { RunContext } from "../../core/types.ts";
import type { StoreVectors } from "../vectors/store-vectors.ts";

/** What ranking needs of a store's vectors (StoreVectors in SQLite; PostgreSQL stores pass their own). */
export type RankVectors = Pick<StoreVectors, "embedder" | "built" | "nearest">;
import { reciprocalRankFusion } from "./reciprocal-rank-fusion.ts";

export type SearchMode = "auto" | "bm25" | "vector" | "hybrid";

export interface RankedId {
  id: number;
  /** Higher is better: -BM25 for "bm25", cosine similarity for "vector", the fused score for "hybrid". */
  score: number;
  ranker: "bm25" | "vector" | "hybrid";
  /** 1-based ranks in each ranked list (hybrid only). */
  ranks?: { bm25?: number; vector?: number };
}

export interface HybridRankOptions {
  query: string;
  k: number;
  /** "auto": hybrid when the store has vectors and an embedder is configured, else BM25. */
  mode: SearchMode;
  /** Row ids by BM25, best first, with their bm25() value (lower is better), at most `limit`. */
  bm25(limit: number): { id: number; rank: number }[] | Promise<{ id: number; rank: number }[]>;
  vectors: RankVectors;
  ctx?: RunContext;
}

/**
 * Ranks a store's rows for a query by BM25, by vector similarity, or by both fused with reciprocal
 * rank fusion. Fusion looks deeper than `k` in each list (4k, at least 20), so that a row both
 * rankers place fairly high beats one that only a single ranker likes.
 */
export async function hybridRank(options: HybridRankOptions): Promise<RankedId[]> {
  const { query, k, mode, vectors, ctx } = options;
  if (!Number.isInteger(k) || k < 1 || k > 1000)
    throw new InvalidRequestError(`k must be an integer from 1 to 1000, got ${k}`, { param: "k" });
  const canVector = vectors.embedder !== undefined && vectors.built;
  if ((mode === "vector" || mode === "hybrid") && !canVector)
    throw new ConfigurationError(
      vectors.embedder
        ? `${mode} search: there are no vectors yet (add entries with the embedder first)`
        : `${mode} search needs an embedder`,
    );
  if (mode === "bm25" || !canVector)
    return (await options.bm25(k)).map((h) => ({ id: h.id, score: -h.rank, ranker: "bm25" }));
  const depth = Math.max(k * 4, 20);
  const semantic = await vectors.nearest(query, mode === "vector" ? k : depth, ctx);
  if (mode === "vector") return semantic.map((n) => ({ id: n.id, score: 1 - n.distance, ranker: "vector" }));
  const lexical = await options.bm25(depth);
  return reciprocalRankFusion({ lists: [lexical.map((h) => h.id), semantic.map((n) => n.id)] })
    .slice(0, k)
    .map((f) => ({ id: f.id, score: f.score, ranker: "hybrid", ranks: { bm25: f.ranks[0], vector: f.ranks[1] } }));
}
