import type { RunContext } from "../../core/types.ts";
import type { RankedId, SearchMode } from "../ranking/hybrid-rank.ts";
import type { Lesson } from "./lesson.ts";

/** A lesson found by a search, with how it ranked. */
export interface LessonHit extends Lesson, Omit<RankedId, "id"> {}

/** A value now (SQLite) or later (PostgreSQL): callers `await` it either way. */
export type Eventually<T> = T | Promise<T>;

/**
 * A store of lessons, whatever keeps it: MemoryStore (one SQLite file, synchronous reads) or
 * PgMemoryStore (PostgreSQL, shared by instances). Both pass memory-store.contract.ts; a caller that
 * takes either awaits every result.
 */
export interface LessonStore {
  add(options: {
    text: string;
    question?: string;
    tags?: string[];
    source?: string;
    ctx?: RunContext;
  }): Promise<Lesson>;
  search(query: string, options?: { k?: number; mode?: SearchMode; ctx?: RunContext }): Promise<LessonHit[]>;
  get(id: number): Eventually<Lesson | undefined>;
  list(options?: { limit?: number; tag?: string }): Eventually<Lesson[]>;
  forget(id: number): Eventually<boolean>;
  markUsed(ids: readonly number[]): Eventually<void>;
  count(): Eventually<number>;
  stats(): Eventually<{ path: string; lessons: number; embedder?: string; dimensions?: number }>;
  close(): Eventually<void>;
}
