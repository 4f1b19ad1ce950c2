import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import type { RunContext } from "../../core/types.ts";
import type { Embedder } from "../../embeddings/embedder.ts";
import { ftsQuery } from "../ranking/fts-query.ts";
import { hybridRank, type SearchMode } from "../ranking/hybrid-rank.ts";
import { openSqliteFile } from "../sqlite/open-sqlite-file.ts";
import type { SqliteFile } from "../sqlite/sqlite-file.ts";
import { StoreVectors } from "../vectors/store-vectors.ts";
import { conceptTerms } from "./lesson-concepts.ts";
import type { LessonHit, LessonStore } from "./lesson-store.ts";
import { lessonTags, lessonText, toLesson, type Lesson, type LessonRow } from "./lesson.ts";
import {
  LESSON_TEXT_TABLE,
  LESSON_VECTOR_TABLE,
  MEMORY_SCHEMA_VERSION,
  migrateMemory,
  ownsMemoryTable,
} from "./memory-schema.ts";

export type { Lesson } from "./lesson.ts";

export type { LessonHit } from "./lesson-store.ts";

export interface MemoryStoreOptions {
  path: string;
  /** Adds vector search; it must be the embedder the store was built with. */
  embedder?: Embedder;
  /** Fail instead of creating a missing file. */
  mustExist?: boolean;
  busyTimeoutMs?: number;
}

const ELSEWHERE = "--store (or LMX_MEMORY)";

/**
 * A persistent store of lessons in one SQLite file, retrieved by BM25 with concept synonyms (and
 * vectors, with an embedder). Every write is one transaction in WAL mode, so a process killed mid-write leaves the
 * file intact with every lesson committed before it.
 */
export class MemoryStore implements LessonStore {
  readonly path: string;
  private readonly file: SqliteFile;
  private readonly vectors: StoreVectors;

  private constructor(file: SqliteFile, embedder: Embedder | undefined) {
    this.path = file.path;
    this.file = file;
    this.vectors = new StoreVectors({
      db: file.db,
      table: LESSON_VECTOR_TABLE,
      what: `memory store ${file.path}`,
      embedder,
    });
  }

  static open(options: MemoryStoreOptions): MemoryStore {
    const file = openSqliteFile({
      path: options.path,
      label: "memory store",
      elsewhere: ELSEWHERE,
      schemaVersion: MEMORY_SCHEMA_VERSION,
      owns: ownsMemoryTable,
      migrate: migrateMemory,
      missing: options.mustExist
        ? "Add a lesson with `lmx memory add <text>` or let the memory technique learn one."
        : undefined,
      busyTimeoutMs: options.busyTimeoutMs,
    });
    return file.build(() => new MemoryStore(file, options.embedder));
  }

  /** Stores a lesson (its vector too, with an embedder). The same text again returns the stored lesson. */
  async add(options: {
    text: string;
    question?: string;
    tags?: string[];
    source?: string;
    ctx?: RunContext;
  }): Promise<Lesson> {
    const { text, key } = lessonText(options.text);
    const existing = this.file.run("read the memory store", (db) =>
      db.prepare<[string], LessonRow>("SELECT * FROM lessons WHERE text_key = ?").get(key),
    );
    if (existing) return toLesson(existing);
    const built = this.vectors.builtWith().id;
    if (built && !this.vectors.embedder)
      throw new ConfigurationError(
        `memory store ${this.path} was built with embedder "${built}": pass the same embedder to add lessons`,
      );
    const [vector] = this.vectors.embedder ? await this.vectors.embed([text], options.ctx) : [];
    const tags = lessonTags(options.tags);
    const id = this.write(() => {
      const db = this.file.db;
      const info = db
        .prepare(
          "INSERT INTO lessons (text, text_key, question, tags, source, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(text_key) DO NOTHING",
        )
        .run(text, key, options.question ?? null, JSON.stringify(tags), options.source ?? "manual", Date.now());
      // Another process stored the same lesson since we looked.
      if (info.changes === 0)
        return db.prepare<[string], number>("SELECT id FROM lessons WHERE text_key = ?").pluck().get(key)!;
      const id = Number(info.lastInsertRowid);
      db.prepare(`INSERT INTO ${LESSON_TEXT_TABLE} (rowid, text, question, tags) VALUES (?, ?, ?, ?)`).run(
        id,
        text,
        options.question ?? "",
        tags.join(" "),
      );
      if (vector) this.vectors.write(id, vector);
      return id;
    });
    return this.get(id)!;
  }

  /**
   * The `k` lessons most relevant to `query`: by meaning and words (hybrid) when the store has an
   * embedder, else lexically: BM25 over Porter stems (inflections meet: "adding" = "added"), with the
   * tag names and general words of the concepts the query signals (conceptTerms: "2 kg and 300 g"
   * also searches for lessons tagged units), so specific questions find general lessons.
   */
  async search(query: string, options: { k?: number; mode?: SearchMode; ctx?: RunContext } = {}): Promise<LessonHit[]> {
    const db = this.file.db;
    // Concept terms go first, as the match keeps only a query's first terms.
    const match = ftsQuery(`${conceptTerms(query).join(" ")} ${query}`);
    const lexical = db.prepare<[string, number], { id: number; rank: number }>(
      `SELECT rowid AS id, bm25(${LESSON_TEXT_TABLE}, 1.0, 0.5, 0.5) AS rank FROM ${LESSON_TEXT_TABLE} WHERE ${LESSON_TEXT_TABLE} MATCH ? ORDER BY rank LIMIT ?`,
    );
    try {
      const ranked = await hybridRank({
        query,
        k: options.k ?? 3,
        mode: options.mode ?? "auto",
        ctx: options.ctx,
        vectors: this.vectors,
        bm25: (limit) => (match ? lexical.all(match, limit) : []),
      });
      return ranked.flatMap(({ id, ...scoring }) => {
        const lesson = this.get(id);
        return lesson ? [{ ...lesson, ...scoring }] : [];
      });
    } catch (error) {
      throw this.file.error(error, "search the memory store");
    }
  }

  get(id: number): Lesson | undefined {
    const row = this.file.run("read the memory store", (db) =>
      db.prepare<[number], LessonRow>("SELECT * FROM lessons WHERE id = ?").get(id),
    );
    return row ? toLesson(row) : undefined;
  }

  /** Lessons, newest first (optionally only those with `tag`). */
  list(options: { limit?: number; tag?: string } = {}): Lesson[] {
    const rows = this.file.run("read the memory store", (db) =>
      db.prepare<[], LessonRow>("SELECT * FROM lessons ORDER BY id DESC").all(),
    );
    const lessons = rows.map(toLesson).filter((l) => !options.tag || l.tags.includes(options.tag));
    return options.limit === undefined ? lessons : lessons.slice(0, options.limit);
  }

  /** Deletes a lesson; false when there is none with that id. */
  forget(id: number): boolean {
    return this.write(() => {
      const db = this.file.db;
      const changes = db.prepare("DELETE FROM lessons WHERE id = ?").run(id).changes;
      if (changes === 0) return false;
      db.prepare(`DELETE FROM ${LESSON_TEXT_TABLE} WHERE rowid = ?`).run(id);
      this.vectors.delete([id]);
      return true;
    });
  }

  /** Counts that these lessons were shown to an answer. */
  markUsed(ids: readonly number[]): void {
    if (ids.length === 0) return;
    this.write(() => {
      const statement = this.file.db.prepare("UPDATE lessons SET uses = uses + 1, last_used_at = ? WHERE id = ?");
      for (const id of ids) statement.run(Date.now(), id);
    });
  }

  /** Lesson count and the embedder (spec and vector length) the store's vectors were made with. */
  stats(): { path: string; lessons: number; embedder?: string; dimensions?: number } {
    const built = this.file.run("read the memory store", () => this.vectors.builtWith());
    return { path: this.path, lessons: this.count(), embedder: built.id, dimensions: built.dimensions };
  }

  count(): number {
    return this.file.run(
      "read the memory store",
      (db) => db.prepare<[], number>("SELECT count(*) FROM lessons").pluck().get() ?? 0,
    );
  }

  close(): void {
    this.file.close();
  }

  /** One IMMEDIATE transaction: all of it is committed, or (killed, failed) none of it. */
  private write<T>(fn: () => T): T {
    try {
      return this.file.run("write to the memory store", (db) => db.transaction(fn).immediate());
    } catch (error) {
      this.vectors.reset();
      throw error;
    }
  }
}
