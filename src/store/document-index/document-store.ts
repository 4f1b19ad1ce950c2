import type { RunContext } from "../../core/types.ts";
import type { Eventually } from "../memory/lesson-store.ts";
import type { SearchHit, SearchOptions } from "./index-search.ts";
import type { AddResult } from "./sync-files.ts";

/**
 * A searchable index of documents, whatever keeps it: DocumentIndex (one SQLite file) or
 * PgDocumentIndex (PostgreSQL, shared by instances). Both pass document-index.contract.ts; a caller
 * that takes either awaits every result.
 */
export interface DocumentStore {
  add(paths: readonly string[], options?: { ctx?: RunContext }): Promise<AddResult>;
  /** Removes a file, or every file under a folder; returns how many files went. */
  remove(path: string): Eventually<number>;
  search(query: string, options?: SearchOptions): Promise<SearchHit[]>;
  stats(): Eventually<IndexStats>;
  close(): Eventually<void>;
}

export interface IndexStats {
  path: string;
  files: number;
  chunks: number;
  /** The embedder the vectors were made with, if any. */
  embedder?: string;
  dimensions?: number;
}
