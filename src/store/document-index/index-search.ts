import type Database from "better-sqlite3";
import type { RunContext } from "../../core/types.ts";
import { ftsQuery } from "../ranking/fts-query.ts";
import { hybridRank, type RankedId, type SearchMode } from "../ranking/hybrid-rank.ts";
import type { StoreVectors } from "../vectors/store-vectors.ts";
import { TEXT_TABLE } from "./index-schema.ts";

export type { SearchMode } from "../ranking/hybrid-rank.ts";

export interface SearchOptions {
  /** How many hits (default 4). */
  k?: number;
  /** "auto" (default): hybrid when the index has vectors and an embedder is configured, else BM25. */
  mode?: SearchMode;
  /** Trace and budget for the query's embedding call. */
  ctx?: RunContext;
}

export interface SearchHit extends Omit<RankedId, "id"> {
  /** Absolute path of the file. */
  path: string;
  startLine: number;
  endLine: number;
  text: string;
  context?: string;
}

/** Column weights of bm25(): chunk text, context (headings, record keys), source path. */
const BM25 = `bm25(${TEXT_TABLE}, 1.0, 0.5, 0.2)`;

/** Searches one index's tables; see DocumentIndex.search. */
export class IndexSearch {
  private readonly lexical: Database.Statement<[string, number], { id: number; rank: number }>;
  private readonly detail: Database.Statement<[number], ChunkDetail>;

  constructor(
    db: Database.Database,
    private readonly vectors: StoreVectors,
  ) {
    this.lexical = db.prepare(
      `SELECT rowid AS id, ${BM25} AS rank FROM ${TEXT_TABLE} WHERE ${TEXT_TABLE} MATCH ? ORDER BY rank LIMIT ?`,
    );
    this.detail = db.prepare(
      `SELECT f.path, c.start_line, c.end_line, t.text, t.context FROM chunks c JOIN files f ON f.id = c.file_id JOIN ${TEXT_TABLE} t ON t.rowid = c.id WHERE c.id = ?`,
    );
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    const { k = 4, mode = "auto", ctx } = options;
    const match = ftsQuery(query);
    const ranked = await hybridRank({
      query,
      k,
      mode,
      ctx,
      vectors: this.vectors,
      bm25: (limit) => (match ? this.lexical.all(match, limit) : []),
    });
    // A chunk deleted meanwhile by another process is left out.
    return searchHits(ranked, (id) => this.detail.get(id));
  }
}

/** A ranked chunk's file, lines and words. */
export interface ChunkDetail {
  path: string;
  start_line: number;
  end_line: number;
  text: string;
  context: string;
}

/** The hits of ranked chunks, in rank order, leaving out those `detail` no longer finds. */
export function searchHits(ranked: readonly RankedId[], detail: (id: number) => ChunkDetail | undefined): SearchHit[] {
  return ranked.flatMap(({ id, ...scoring }) => {
    const row = detail(id);
    return row
      ? [
          {
            path: row.path,
            startLine: row.start_line,
            endLine: row.end_line,
            text: row.text,
            context: row.context || undefined,
            ...scoring,
          },
        ]
      : [];
  });
}
