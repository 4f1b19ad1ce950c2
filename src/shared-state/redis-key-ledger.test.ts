import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import { keyLedgerContract } from "./key-ledger.contract.ts";
import { openRedis } from "./open-redis.ts";
import { redisKeyLedger } from "./redis-key-ledger.ts";
import { SharedStateUnavailableError } from "./shared-state-unavailable-error.ts";
import { redisAnswers, redisServerProcess, TEST_REDIS_URL } from "./testing/redis-server-process.ts";

const available = await redisAnswers();
if (!available) console.log(`skipped: no Redis answers at ${TEST_REDIS_URL}`);

async function cleanUp(url: string, prefix: string) {
  const redis = await openRedis(url);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
}

if (available) {
  keyLedgerContract("redis", async () => {
    const prefix = `lmx-t-${randomUUID()}:`;
    const redis = await openRedis(TEST_REDIS_URL);
    return {
      ledger: redisKeyLedger(redis, { prefix }),
      close: async () => {
        redis.disconnect();
        await cleanUp(TEST_REDIS_URL, prefix);
      },
    };
  });

  describe("redis key ledger across instances and outages", () => {
    it("two instances (two connections) reserving at once never hold more than the budget together", async () => {
      const prefix = `lmx-t-${randomUUID()}:`;
      const [ra, rb] = await Promise.all([openRedis(TEST_REDIS_URL), openRedis(TEST_REDIS_URL)]);
      const [a, b] = [redisKeyLedger(ra, { prefix }), redisKeyLedger(rb, { prefix })];
      try {
        const ask = { key: "alice", period: "total" as const, limits: { cost_usd: 2 }, ttlMs: 60_000 };
        const want = { cost_usd: 0.03, tokens: 0, calls: 0 };
        const results = await Promise.all(
          Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).reserve({ ...ask, want })),
        );
        const granted = results.reduce((s, r) => s + (r.ok ? r.hold.granted.cost_usd! : 0), 0);
        assert.ok(granted <= 2 + 1e-9 && granted > 1.99, `granted ${granted}`);
        const spend = await b.spend("alice", "total");
        assert.ok(Math.abs(spend.held.cost_usd - granted) < 1e-9);
      } finally {
        ra.disconnect();
        rb.disconnect();
        await cleanUp(TEST_REDIS_URL, prefix);
      }
    });

    it("while Redis is away each call fails at once with a clear error, and works again when it is back", async () => {
      const server = await redisServerProcess();
      const lines: string[] = [];
      const redis = await openRedis(server.url, { log: (l) => lines.push(l) });
      const ledger = redisKeyLedger(redis);
      const ask = { key: "bob", period: "total" as const, limits: { calls: 10 }, ttlMs: 60_000 };
      const want = { cost_usd: 0, tokens: 0, calls: 1 };
      try {
        assert.equal((await ledger.reserve({ ...ask, want })).ok, true);
        await server.stop();
        const started = Date.now();
        await assert.rejects(ledger.reserve({ ...ask, want }), (e) => SharedStateUnavailableError.isInstance(e));
        // Generous: the point is "not a hang until some long timeout", on a shared machine.
        assert.ok(Date.now() - started < 3_000, `took ${Date.now() - started} ms`);
        await server.start();
        for (let i = 0; i < 100 && redis.status !== "ready"; i++) await new Promise((r) => setTimeout(r, 50));
        // A fresh server has nothing: the outage lost its state, and the ledger works again.
        assert.equal((await ledger.reserve({ ...ask, want })).ok, true);
        assert.ok(
          lines.some((l) => l.includes("unavailable")) && lines.some((l) => l.includes("is back")),
          lines.join("\n"),
        );
      } finally {
        redis.disconnect();
        await server.stop();
      }
    });

    it("scripts go by their SHA and are sent again when Redis has lost them (SCRIPT FLUSH)", async () => {
      const prefix = `lmx-t-${randomUUID()}:`;
      const redis = await openRedis(TEST_REDIS_URL);
      const ledger = redisKeyLedger(redis, { prefix });
      const ask = { key: "carol", period: "total" as const, limits: { calls: 3 }, ttlMs: 60_000 };
      const want = { cost_usd: 0, tokens: 0, calls: 1 };
      try {
        assert.equal((await ledger.reserve({ ...ask, want })).ok, true);
        await redis.script("FLUSH");
        assert.equal((await ledger.reserve({ ...ask, want })).ok, true);
        assert.equal((await ledger.spend("carol", "total")).held.calls, 2);
      } finally {
        redis.disconnect();
        await cleanUp(TEST_REDIS_URL, prefix);
      }
    });

    it("cannot connect at start: one clear error, no password shown", async () => {
      await assert.rejects(
        openRedis("redis://user:hunter2secret@127.0.0.1:1", { connectTimeoutMs: 500 }),
        (e: Error) =>
          SharedStateUnavailableError.isInstance(e) && !e.message.includes("hunter2") && e.message.includes("***"),
      );
    });
  });
}
