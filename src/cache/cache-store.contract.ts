import assert from "node:assert/strict";
import { test } from "node:test";
import type { CacheStore, CachedSample } from "./response-cache.ts";

/** Opens an empty store of one backend; each test closes what it opened. */
export type OpenCacheStore = () => Promise<CacheStore>;

const sample = (content: string, prompt = 10): CachedSample => ({
  choice: { index: 0, message: { role: "assistant", content }, finish_reason: "stop" },
  model: "m",
  prompt_tokens: prompt,
  completion_tokens: 3,
  cached_tokens: 0,
  cost_usd: 0.001,
});

/** What every response cache backend must do; each backend's test file runs it (see sqlite-cache.test.ts, pg-cache.test.ts). */
export function cacheStoreContract(backend: string, open: OpenCacheStore): void {
  test(`${backend} cache: a miss, then hits; a set replaces; count and clear`, async () => {
    const cache = await open();
    try {
      assert.equal(await cache.get("k1"), undefined);
      await cache.set("k1", sample("one"));
      await cache.set("k2", sample("two", 0));
      await cache.set("k2", sample("two again", 0));
      assert.deepEqual(await cache.get("k1"), sample("one"));
      assert.deepEqual(await cache.get("k2"), sample("two again", 0));
      assert.equal(await cache.count(), 2);
      assert.equal(await cache.clear(), 2);
      assert.equal(await cache.count(), 0);
      assert.equal(await cache.get("k1"), undefined);
    } finally {
      await cache.close();
      await cache.close();
    }
  });

  test(`${backend} cache: keys and values are stored exactly (unicode, quotes, long text)`, async () => {
    const cache = await open();
    try {
      const key = `k'"\\%_ ${"é".repeat(3)} 🙂`;
      const long = sample(`${"long ".repeat(50_000)}'; DROP TABLE x; --`);
      await cache.set(key, long);
      assert.deepEqual(await cache.get(key), long);
      assert.equal(await cache.get(key.slice(0, -1)), undefined);
    } finally {
      await cache.close();
    }
  });

  test(`${backend} cache: concurrent writers of the same key leave one whole value`, async () => {
    const cache = await open();
    try {
      await Promise.all(Array.from({ length: 20 }, (_, i) => cache.set("same", sample(`v${i}`))));
      const got = await cache.get("same");
      assert.match(String(got?.choice.message.content), /^v\d+$/);
      assert.equal(await cache.count(), 1);
    } finally {
      await cache.close();
    }
  });
}
