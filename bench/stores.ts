/**
 * The stores on both backends: median time of a response-cache get (hit) and set, and of saving and
 * listing a trace, for SQLite and for PostgreSQL on this machine, each reported with its ratio to
 * SQLite measured in the same run (the machine is shared and noisy). Skipped when no PostgreSQL answers.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PgCache } from "../src/cache/pg-cache.ts";
import type { CacheStore } from "../src/cache/response-cache.ts";
import { SqliteCache } from "../src/cache/sqlite-cache.ts";
import { createRunContext } from "../src/core/context.ts";
import { PgDatabase } from "../src/store/postgres/pg-database.ts";
import { createTestDatabase } from "../src/store/postgres/testing/test-database.ts";
import type { PersistentTraceStore } from "../src/store/trace-store/persistent-trace-store.ts";
import { pgTraceStore } from "../src/store/trace-store/pg-trace-store.ts";
import { openTraceStore } from "../src/store/trace-store/sqlite-trace-store.ts";

const sample = {
  choice: {
    index: 0,
    message: { role: "assistant" as const, content: "The answer is 4. ".repeat(20) },
    finish_reason: "stop",
  },
  model: "m",
  prompt_tokens: 50,
  completion_tokens: 100,
  cached_tokens: 0,
  cost_usd: 0.001,
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timeEach(n: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await op(i);
    times.push(performance.now() - started);
  }
  return median(times);
}

async function measure(cache: CacheStore, traces: PersistentTraceStore, n: number) {
  for (let i = 0; i < n; i++) await cache.set(`warm-${i}`, sample);
  return {
    cache_get_ms: await timeEach(n, (i) => cache.get(`warm-${i}`)),
    cache_set_ms: await timeEach(n, (i) => cache.set(`key-${i}`, sample)),
    trace_add_ms: await timeEach(n, () =>
      traces.add({ span: createRunContext({ name: "bench" }).span, model: "m", stream: false }),
    ),
    trace_list_ms: await timeEach(n, () => traces.list({ limit: 50 })),
  };
}

export async function run(options: { n?: number; log?: (line: string) => void } = {}) {
  const { n = 300, log = console.log } = options;
  const dir = mkdtempSync(join(tmpdir(), "lmx-bench-stores-"));
  const database = await createTestDatabase();
  try {
    const sqliteCache = SqliteCache.open({ path: join(dir, "cache.sqlite") });
    const sqliteTraces = openTraceStore({ path: join(dir, "traces.sqlite") });
    const sqlite = await measure(sqliteCache, sqliteTraces, n);
    await sqliteCache.close();
    await sqliteTraces.close();
    log(`SQLite: ${JSON.stringify(sqlite)}`);
    if (!database) return { sqlite };
    const db = new PgDatabase({ url: database.url });
    const traces = pgTraceStore(db);
    const postgres = await measure(new PgCache(db), traces, n);
    await traces.close();
    await db.close();
    const ratio = Object.fromEntries(
      Object.entries(postgres).map(([k, v]) => [k, +(v / sqlite[k as keyof typeof sqlite]).toFixed(1)]),
    );
    log(`PostgreSQL: ${JSON.stringify(postgres)}`);
    log(`PostgreSQL / SQLite: ${JSON.stringify(ratio)}`);
    return { sqlite, postgres, ratio };
  } finally {
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
