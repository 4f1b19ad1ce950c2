import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import type { RunContext } from "../../core/types.ts";
import type { Embedder } from "../../embeddings/embedder.ts";
import type { PgDatabase } from "../postgres/pg-database.ts";
import { onceSucceeded } from "../postgres/once-succeeded.ts";
import { migrateOnce, type PgMigration } from "../postgres/pg-migrate.ts";
import { PgEmbeddings } from "../postgres/pg-embeddings.ts";
import { pgHybridRank } from "../postgres/pg-hybrid-rank.ts";
import { redactUrl } from "../../core/redact-url.ts";
import { queryTerms } from "../ranking/fts-query.ts";
import type { SearchMode } from "../ranking/hybrid-rank.ts";
import { conceptTerms } from "./lesson-concepts.ts";
import type { LessonHit, LessonStore } from "./lesson-store.ts";
import { lessonTags, lessonText, toLesson, type Lesson, type LessonRow } from "./lesson.ts";

const LABEL = "memory store";
const LESSON_COLUMNS = "id, text, question, tags, source, created_at, uses";

const MIGRATIONS: PgMigration[] = [
  {
    version: 1,
    async up(client) {
      // Every named memory store is a `store` value in one table; words are searched with PostgreSQL's
      // own text search (English stems, text weighted above question and tags).
      await client.query(`CREATE TABLE IF NOT EXISTS lmx_memory_lessons (
        id BIGSERIAL PRIMARY KEY, store TEXT NOT NULL, text TEXT NOT NULL, text_key TEXT NOT NULL, question TEXT,
        tags TEXT NOT NULL DEFAULT '[]', tags_text TEXT NOT NULL DEFAULT '', source TEXT NOT NULL,
        created_at BIGINT NOT NULL, uses INTEGER NOT NULL DEFAULT 0, last_used_at BIGINT, embedding REAL[],
        tsv TSVECTOR GENERATED ALWAYS AS (
          setweight(to_tsvector('english', text), 'A') ||
          setweight(to_tsvector('english', coalesce(question, '')), 'B') ||
          setweight(to_tsvector('english', tags_text), 'B')) STORED,
        UNIQUE (store, text_key))`);
      await client.query("CREATE INDEX IF NOT EXISTS lmx_memory_lessons_tsv ON lmx_memory_lessons USING GIN (tsv)");
      await client.query(
        "CREATE TABLE IF NOT EXISTS lmx_memory_meta (store TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (store, key))",
      );
    },
  },
];

export interface PgMemoryStoreOptions {
  /** The memory store's name (`memory(store=NAME)`); default "memory". */
  name?: string;
  /** Adds vector search; it must be the embedder the store was built with. */
  embedder?: Embedder;
}

/**
 * Lessons in PostgreSQL, shared by every instance: found by PostgreSQL text search (ts_rank over
 * English stems, with the concept terms of lesson-concepts), and, with an embedder, by cosine
 * similarity of vectors stored as REAL[] and fused with the words by reciprocal rank (hybridRank), as
 * the SQLite store does. Same contract as MemoryStore (memory-store.contract.ts).
 */
export class PgMemoryStore implements LessonStore {
  readonly path: string;
  readonly embedder?: Embedder;
  private readonly name: string;
  /** Migrated, and the embedder checked against the one the store was built with. */
  private readonly ready: () => Promise<void>;
  private readonly vectors: PgEmbeddings;

  constructor(
    private readonly db: PgDatabase,
    options: PgMemoryStoreOptions = {},
  ) {
    this.name = options.name ?? "memory";
    this.embedder = options.embedder;
    this.path = `${redactUrl(db.url)} (memory store "${this.name}")`;
    this.vectors = new PgEmbeddings(db, {
      label: LABEL,
      what: `${LABEL} ${this.path}`,
      metaTable: "lmx_memory_meta",
      store: this.name,
      embedder: options.embedder,
    });
    const migrated = migrateOnce(db, { component: "memory", label: LABEL, migrations: MIGRATIONS });
    this.ready = onceSucceeded(async () => {
      await migrated();
      await this.vectors.check();
    });
  }

  private async rows<R extends object>(action: string, sql: string, params: unknown[]): Promise<R[]> {
    return (await this.db.query<R>(LABEL, action, sql, params)).rows;
  }

  async add(options: {
    text: string;
    question?: string;
    tags?: string[];
    source?: string;
    ctx?: RunContext;
  }): Promise<Lesson> {
    const { text, key } = lessonText(options.text);
    await this.ready();
    const existing = await this.rows<LessonRow>(
      "read the memory store",
      `SELECT ${LESSON_COLUMNS} FROM lmx_memory_lessons WHERE store = $1 AND text_key = $2`,
      [this.name, key],
    );
    if (existing[0]) return toLesson(numbers(existing[0]));
    const built = await this.vectors.builtWith();
    if (built.id && !this.embedder)
      throw new ConfigurationError(
        `memory store ${this.path} was built with embedder "${built.id}": pass the same embedder to add lessons`,
      );
    const [vector] = this.embedder ? await this.vectors.embed([text], options.ctx) : [];
    const tags = lessonTags(options.tags);
    const id = await this.db.transaction(LABEL, "write to the memory store", async (client) => {
      const inserted = await client.query<{ id: string }>(
        `INSERT INTO lmx_memory_lessons (store, text, text_key, question, tags, tags_text, source, created_at, embedding)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (store, text_key) DO NOTHING RETURNING id`,
        [
          this.name,
          text,
          key,
          options.question ?? null,
          JSON.stringify(tags),
          tags.join(" "),
          options.source ?? "manual",
          Date.now(),
          vector ? Array.from(vector) : null,
        ],
      );
      if (vector) await this.vectors.record(client, vector.length);
      if (inserted.rows[0]) return Number(inserted.rows[0].id);
      // Another instance stored the same lesson since we looked.
      const found = await client.query<{ id: string }>(
        "SELECT id FROM lmx_memory_lessons WHERE store = $1 AND text_key = $2",
        [this.name, key],
      );
      return Number(found.rows[0]!.id);
    });
    return (await this.get(id))!;
  }

  async search(query: string, options: { k?: number; mode?: SearchMode; ctx?: RunContext } = {}): Promise<LessonHit[]> {
    await this.ready();
    // Concept terms go first, as only a query's first terms are kept.
    const terms = queryTerms(`${conceptTerms(query).join(" ")} ${query}`);
    const ranked = await pgHybridRank({
      db: this.db,
      vectors: this.vectors,
      label: LABEL,
      action: "search the memory store",
      table: "lmx_memory_lessons",
      scope: "store = $1",
      scopeValue: this.name,
      query,
      terms,
      k: options.k ?? 3,
      mode: options.mode ?? "auto",
      ctx: options.ctx,
      ties: "id DESC",
    });
    const byId = new Map((await this.lessons(ranked.map((r) => r.id))).map((l) => [l.id, l]));
    return ranked.flatMap(({ id, ...scoring }) => {
      const lesson = byId.get(id);
      return lesson ? [{ ...lesson, ...scoring }] : [];
    });
  }

  private async lessons(ids: readonly number[]): Promise<Lesson[]> {
    if (ids.length === 0) return [];
    const rows = await this.rows<LessonRow>(
      "read the memory store",
      `SELECT ${LESSON_COLUMNS} FROM lmx_memory_lessons WHERE store = $1 AND id = ANY($2::bigint[])`,
      [this.name, ids],
    );
    return rows.map((r) => toLesson(numbers(r)));
  }

  async get(id: number): Promise<Lesson | undefined> {
    await this.ready();
    return (await this.lessons([id]))[0];
  }

  async list(options: { limit?: number; tag?: string } = {}): Promise<Lesson[]> {
    await this.ready();
    const rows = await this.rows<LessonRow>(
      "read the memory store",
      `SELECT ${LESSON_COLUMNS} FROM lmx_memory_lessons WHERE store = $1 AND ($2::text IS NULL OR tags::jsonb ? $2)
       ORDER BY id DESC LIMIT $3`,
      [this.name, options.tag ?? null, options.limit ?? null],
    );
    return rows.map((r) => toLesson(numbers(r)));
  }

  async forget(id: number): Promise<boolean> {
    await this.ready();
    const rows = await this.rows(
      "write to the memory store",
      "DELETE FROM lmx_memory_lessons WHERE store = $1 AND id = $2 RETURNING id",
      [this.name, id],
    );
    return rows.length > 0;
  }

  async markUsed(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.ready();
    await this.rows(
      "write to the memory store",
      `UPDATE lmx_memory_lessons AS l SET uses = l.uses + used.n, last_used_at = $3
       FROM (SELECT id, count(*) AS n FROM unnest($2::bigint[]) AS id GROUP BY id) AS used
       WHERE l.store = $1 AND l.id = used.id`,
      [this.name, ids, Date.now()],
    );
  }

  async count(): Promise<number> {
    await this.ready();
    const rows = await this.rows<{ n: string }>(
      "read the memory store",
      "SELECT count(*) AS n FROM lmx_memory_lessons WHERE store = $1",
      [this.name],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async stats(): Promise<{ path: string; lessons: number; embedder?: string; dimensions?: number }> {
    await this.ready();
    const built = await this.vectors.builtWith();
    return { path: this.path, lessons: await this.count(), embedder: built.id, dimensions: built.dimensions };
  }

  /** The database's connections belong to whoever opened it (openStores closes them). */
  async close(): Promise<void> {}
}

/** BIGINT columns come back as text. */
function numbers(row: LessonRow): LessonRow {
  return { ...row, id: Number(row.id), created_at: Number(row.created_at), uses: Number(row.uses) };
}
