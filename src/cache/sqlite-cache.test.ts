import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import { ConfigurationError } from "../core/errors/configuration-error.ts";
import type { CachedSample } from "./response-cache.ts";
import { cacheStoreContract } from "./cache-store.contract.ts";
import { CACHE_SCHEMA_VERSION, defaultCachePath, SqliteCache } from "./sqlite-cache.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-sqlite-cache-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function sample(text: string, prompt = 10): CachedSample {
  return {
    choice: { index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" },
    model: "m",
    prompt_tokens: prompt,
    completion_tokens: 2,
    cached_tokens: 0,
    cost_usd: 0.001,
  };
}

const isConfigError = (pattern: RegExp) => (e: unknown) => {
  assert.ok(ConfigurationError.isInstance(e), `expected a ConfigurationError, got ${String(e)}`);
  assert.match((e as Error).message, pattern);
  return true;
};

test("open creates parent folders, uses WAL and stamps the schema version", () => {
  const path = join(dir, "a", "b", "cache.sqlite");
  const cache = SqliteCache.open({ path });
  cache.close();
  const db = new Database(path, { readonly: true });
  assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
  assert.equal(db.pragma("user_version", { simple: true }), CACHE_SCHEMA_VERSION);
  const columns = db.prepare("PRAGMA table_info(responses)").all() as { name: string }[];
  assert.deepEqual(
    columns.map((c) => c.name),
    ["key", "value", "created_at"],
  );
  db.close();
});

test("get returns what set stored, misses are undefined, and a reopened file keeps everything", async () => {
  const path = join(dir, "roundtrip.sqlite");
  const cache = SqliteCache.open({ path });
  assert.equal(await cache.get("k1"), undefined);
  await cache.set("k1", sample("one"));
  await cache.set("k2", sample("two", 0));
  await cache.set("k2", sample("two again", 0));
  assert.deepEqual(await cache.get("k1"), sample("one"));
  assert.equal(cache.stats().entries, 2);
  cache.close();
  cache.close();
  await assert.rejects(cache.get("k1"), isConfigError(/after close/));

  const again = SqliteCache.open({ path });
  assert.deepEqual(await again.get("k1"), sample("one"));
  assert.equal((await again.get("k2"))?.choice.message.content, "two again");
  const stats = again.stats();
  assert.equal(stats.entries, 2);
  assert.equal(stats.path, path);
  assert.ok(stats.bytes > 0);
  assert.equal(await again.clear(), 2);
  assert.equal(again.stats().entries, 0);
  again.close();
});

test("a file that is not a SQLite database is a ConfigurationError and is left untouched", () => {
  const path = join(dir, "notes.sqlite");
  const text = "my notes, not a database\n".repeat(40);
  writeFileSync(path, text);
  assert.throws(
    () => SqliteCache.open({ path }),
    isConfigError(new RegExp(`${escape(path)}.*not a readable SQLite database.*untouched`)),
  );
  assert.equal(readFileSync(path, "utf8"), text);
});

test("a malformed cache file is a ConfigurationError at open or on read, never a crash", async () => {
  const path = join(dir, "malformed.sqlite");
  const cache = SqliteCache.open({ path });
  for (let i = 0; i < 300; i++) await cache.set(`key-${i}`, sample("x".repeat(300)));
  cache.close();
  const bytes = readFileSync(path);
  // Keep the 100-byte header, scramble the rest of the schema page and every data page.
  for (let i = 100; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 255;
  writeFileSync(path, bytes);
  await assert.rejects(
    async () => {
      const c = SqliteCache.open({ path });
      try {
        for (let i = 0; i < 300; i++) await c.get(`key-${i}`);
      } finally {
        await c.close();
      }
    },
    isConfigError(/malformed|not a readable SQLite database/),
  );
  assert.ok(existsSync(path));
});

test("a database locked by another connection past the busy timeout is a ConfigurationError", async () => {
  const path = join(dir, "locked.sqlite");
  const holder = new Database(path);
  holder.exec("CREATE TABLE other_lock (x)");
  holder.exec("DROP TABLE other_lock");
  holder.exec("BEGIN EXCLUSIVE");
  try {
    assert.throws(
      () => SqliteCache.open({ path, busyTimeoutMs: 50 }),
      isConfigError(new RegExp(`${escape(path)} is locked by another process`)),
    );
  } finally {
    holder.exec("COMMIT");
    holder.close();
  }
  // Once the lock is released the same file opens fine.
  const cache = SqliteCache.open({ path, busyTimeoutMs: 50 });
  await cache.set("k", sample("v"));

  // A writer holding the lock while the cache is open: reads still work (WAL), writes fail cleanly.
  const writer = new Database(path, { timeout: 50 });
  writer.exec("BEGIN EXCLUSIVE");
  writer.prepare("INSERT INTO responses (key, value, created_at) VALUES ('w', '{}', 0)").run();
  try {
    assert.equal((await cache.get("k"))?.choice.message.content, "v");
    await assert.rejects(cache.set("k2", sample("v2")), isConfigError(/locked by another process/));
  } finally {
    writer.exec("ROLLBACK");
    writer.close();
  }
  await cache.set("k2", sample("v2"));
  assert.equal(cache.stats().entries, 2);
  cache.close();
});

test("a cache from a newer lmx or another program's database is refused", () => {
  const newer = join(dir, "newer.sqlite");
  const db = new Database(newer);
  db.pragma(`user_version = ${CACHE_SCHEMA_VERSION + 1}`);
  db.close();
  assert.throws(() => SqliteCache.open({ path: newer }), isConfigError(/schema version 2.*Upgrade lmx/));

  const foreign = join(dir, "app.db");
  const app = new Database(foreign);
  app.exec("CREATE TABLE customers (name TEXT)");
  app.close();
  assert.throws(() => SqliteCache.open({ path: foreign }), isConfigError(/another program \(tables: customers\)/));
  const check = new Database(foreign, { readonly: true });
  assert.deepEqual(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all(), ["customers"]);
  check.close();
});

test("defaultCachePath prefers LMX_CACHE, else cache.sqlite in the user's cache folder", () => {
  assert.equal(defaultCachePath({ env: { XDG_CACHE_HOME: "/c" }, cwd: "/srv/app" }), resolve("/c/lmx/cache.sqlite"));
  assert.equal(defaultCachePath({ env: { LMX_CACHE: "/var/c.sqlite" }, cwd: "/srv/app" }), resolve("/var/c.sqlite"));
  assert.equal(defaultCachePath({ env: { LMX_CACHE: "rel.sqlite" }, cwd: "/srv/app" }), resolve("/srv/app/rel.sqlite"));
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

cacheStoreContract("SQLite", async () => SqliteCache.open({ path: join(dir, `contract-${Math.random()}.sqlite`) }));
