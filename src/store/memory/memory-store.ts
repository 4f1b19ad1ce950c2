import { resolve } from "node:path";
import type Database from "better-sqlite3";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import type { RunContext } from "../../core/types.ts";
import type { Embedder } from "../../embeddings/embedder.ts";
import { ftsQuery } from "../ranking/fts-query.ts";
import { hybridRank, type RankedId, type SearchMode } from "../ranking/hybrid-rank.ts";
import { openSqliteFile } from "../sqlite/open-sqlite-file.ts";
import { sqliteFileError } from "../sqlite/sqlite-file-error.ts";
import { StoreVectors } from "../vectors/store-vectors.ts";
import { LESSON_TEXT_TABLE, LESSON_VECTOR_TABLE, MEMORY_SCHEMA_VERSION, migrateMemory, ownsMemoryTable } from "./memory-schema.ts";

/** One thing learned: a general rule that would have avoided a past mistake. */
export interface Lesson {
  id: number;
  text: string;
  /** The question whose mistake taught it, if any. */
  question?: string;
  tags: string[];
  /** Where it came from: "feedback", "verifier", "manual" … */
  source: string;
  /** ISO time. */
  createdAt: string;
  /** How many answers it was shown to. */
  uses: number;
}

export interface LessonHit extends Lesson, Omit<RankedId, "id"> {}

export interface MemoryStoreOptions {
  path: string;
  /** Adds vector search; it must be the embedder the store was built with. */
  embedder?: Embedder;
  /** Fail instead of creating a missing file. */
  mustExist?: boolean;
  busyTimeoutMs?: number;
}

const ELSEWHERE = "--store (or LMX_MEMORY)";
const MAX_LESSON_CHARS = 2000;

interface LessonRow {
  id: number;
  text: string;
  question: string | null;
  tags: string;
  source: string;
  created_at: number;
  uses: number;
}

/**
 * A persistent store of lessons in one SQLite file, retrieved by BM25 (and vectors, with an
 * embedder). Every write is one transaction in WAL mode, so a process killed mid-write leaves the
 * file intact with every lesson committed before it.
 */
export class MemoryStore {
  readonly path: string;
  private db: Database.Database | undefined;
  private readonly vectors: StoreVectors;

  private constructor(path: string, db: Database.Database, embedder: Embedder | undefined) {
    this.path = path;
    this.db = db;
    this.vectors = new StoreVectors({ db, table: LESSON_VECTOR_TABLE, what: `memory store ${path}`, embedder });
  }

  static open(options: MemoryStoreOptions): MemoryStore {
    const path = resolve(options.path);
    const db = openSqliteFile({
      path,
      label: "memory store",
      elsewhere: ELSEWHERE,
      schemaVersion: MEMORY_SCHEMA_VERSION,
      owns: ownsMemoryTable,
      migrate: migrateMemory,
      missing: options.mustExist ? "Add a lesson with `lmx memory add <text>` or let the memory technique learn one." : undefined,
      busyTimeoutMs: options.busyTimeoutMs,
    });
    try {
      return new MemoryStore(path, db, options.embedder);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Stores a lesson (its vector too, with an embedder). The same text again returns the stored lesson. */
  async add(options: { text: string; question?: string; tags?: string[]; source?: string; ctx?: RunContext }): Promise<Lesson> {
    const text = options.text.trim().slice(0, MAX_LESSON_CHARS);
    if (!text) throw new InvalidRequestError("a lesson needs some text", { param: "text" });
    const key = text.toLowerCase().replace(/\s+/g, " ");
    const existing = this.run("read the memory store", () => this.open().prepare<[string], LessonRow>("SELECT * FROM lessons WHERE text_key = ?").get(key));
    if (existing) return toLesson(existing);
    const built = this.vectors.builtWith().id;
    if (built && !this.vectors.embedder)
      throw new ConfigurationError(`memory store ${this.path} was built with embedder "${built}": pass the same embedder to add lessons`);
    const [vector] = this.vectors.embedder ? await this.vectors.embed([text], options.ctx) : [];
    const tags = [...new Set((options.tags ?? []).map((t) => t.trim()).filter(Boolean))];
    const id = this.write(() => {
      const db = this.open();
      const info = db
        .prepare("INSERT INTO lessons (text, text_key, question, tags, source, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(text_key) DO NOTHING")
        .run(text, key, options.question ?? null, JSON.stringify(tags), options.source ?? "manual", Date.now());
      // Another process stored the same lesson since we looked.
      if (info.changes === 0) return db.prepare<[string], number>("SELECT id FROM lessons WHERE text_key = ?").pluck().get(key)!;
      const id = Number(info.lastInsertRowid);
      db.prepare(`INSERT INTO ${LESSON_TEXT_TABLE} (rowid, text, question, tags) VALUES (?, ?, ?, ?)`).run(id, text, options.question ?? "", tags.join(" "));
      if (vector) this.vectors.write(id, vector);
      return id;
    });
    return this.get(id)!;
  }

  /** The `k` lessons most relevant to `query` (BM25, or hybrid with vectors). */
  async search(query: string, options: { k?: number; mode?: SearchMode; ctx?: RunContext } = {}): Promise<LessonHit[]> {
    const db = this.open();
    const match = ftsQuery(query);
    const lexical = db.prepare<[string, number], { id: number; rank: number }>(
      `SELECT rowid AS id, bm25(${LESSON_TEXT_TABLE}, 1.0, 0.5, 0.5) AS rank FROM ${LESSON_TEXT_TABLE} WHERE ${LESSON_TEXT_TABLE} MATCH ? ORDER BY rank LIMIT ?`,
    );
    try {
      const ranked = await hybridRank({ query, k: options.k ?? 3, mode: options.mode ?? "auto", ctx: options.ctx, vectors: this.vectors, bm25: (limit) => (match ? lexical.all(match, limit) : []) });
      return ranked.flatMap(({ id, ...scoring }) => {
        const lesson = this.get(id);
        return lesson ? [{ ...lesson, ...scoring }] : [];
      });
    } catch (error) {
      throw sqliteFileError({ path: this.path, error, action: "search the memory store", label: "memory store", elsewhere: ELSEWHERE });
    }
  }

  get(id: number): Lesson | undefined {
    const row = this.run("read the memory store", () => this.open().prepare<[number], LessonRow>("SELECT * FROM lessons WHERE id = ?").get(id));
    return row ? toLesson(row) : undefined;
  }

  /** Lessons, newest first (optionally only those with `tag`). */
  list(options: { limit?: number; tag?: string } = {}): Lesson[] {
    const rows = this.run("read the memory store", () => this.open().prepare<[], LessonRow>("SELECT * FROM lessons ORDER BY id DESC").all());
    const lessons = rows.map(toLesson).filter((l) => !options.tag || l.tags.includes(options.tag));
    return options.limit === undefined ? lessons : lessons.slice(0, options.limit);
  }

  /** Deletes a lesson; false when there is none with that id. */
  forget(id: number): boolean {
    return this.write(() => {
      const db = this.open();
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
      const statement = this.open().prepare("UPDATE lessons SET uses = uses + 1, last_used_at = ? WHERE id = ?");
      for (const id of ids) statement.run(Date.now(), id);
    });
  }

  /** Lesson count and the embedder (spec and vector length) the store's vectors were made with. */
  stats(): { path: string; lessons: number; embedder?: string; dimensions?: number } {
    const built = this.run("read the memory store", () => this.vectors.builtWith());
    return { path: this.path, lessons: this.count(), embedder: built.id, dimensions: built.dimensions };
  }

  count(): number {
    return this.run("read the memory store", () => this.open().prepare<[], number>("SELECT count(*) FROM lessons").pluck().get() ?? 0);
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
  }

  /** One IMMEDIATE transaction: all of it is committed, or (killed, failed) none of it. */
  private write<T>(fn: () => T): T {
    try {
      return this.run("write to the memory store", () => this.open().transaction(fn).immediate());
    } catch (error) {
      this.vectors.reset();
      throw error;
    }
  }

  private open(): Database.Database {
    if (!this.db) throw new ConfigurationError(`memory store ${this.path} was used after close()`);
    return this.db;
  }

  private run<T>(action: string, fn: () => T): T {
    this.open();
    try {
      return fn();
    } catch (error) {
      throw sqliteFileError({ path: this.path, error, action, label: "memory store", elsewhere: ELSEWHERE });
    }
  }
}

function toLesson(row: LessonRow): Lesson {
  let tags: string[] = [];
  try {
    tags = JSON.parse(row.tags);
  } catch {
    // A hand-edited row: no tags rather than a crash.
  }
  return { id: row.id, text: row.text, question: row.question ?? undefined, tags, source: row.source, createdAt: new Date(row.created_at).toISOString(), uses: row.uses };
}
