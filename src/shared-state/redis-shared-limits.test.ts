import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import { openRedis } from "./open-redis.ts";
import { redisSharedLimits } from "./redis-shared-limits.ts";
import { sharedLimitsContract } from "./shared-limits.contract.ts";
import { redisAnswers, TEST_REDIS_URL } from "./testing/redis-server-process.ts";

const available = await redisAnswers();
if (!available) console.log(`skipped: no Redis answers at ${TEST_REDIS_URL}`);

async function cleanUp(prefix: string) {
  const redis = await openRedis(TEST_REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
}

if (available) {
  sharedLimitsContract("redis", async () => {
    const prefix = `lmx-t-${randomUUID()}:`;
    const redis = await openRedis(TEST_REDIS_URL);
    return {
      limits: redisSharedLimits(redis, { prefix, maxWaitStepMs: 20 }),
      close: async () => {
        redis.disconnect();
        await cleanUp(prefix);
      },
    };
  });

  describe("redis limits across instances", () => {
    it("two instances together never run more than max at once", async () => {
      const prefix = `lmx-t-${randomUUID()}:`;
      const [ra, rb] = await Promise.all([openRedis(TEST_REDIS_URL), openRedis(TEST_REDIS_URL)]);
      const [a, b] = [ra, rb].map((r) => redisSharedLimits(r, { prefix, maxWaitStepMs: 20 }));
      let running = 0;
      let peak = 0;
      try {
        await Promise.all(
          Array.from({ length: 16 }, async (_, i) => {
            const release = await (i % 2 ? a! : b!).slot("endpoint", 4);
            running++;
            peak = Math.max(peak, running);
            await new Promise((r) => setTimeout(r, 20));
            running--;
            release();
          }),
        );
        assert.equal(peak, 4);
      } finally {
        ra.disconnect();
        rb.disconnect();
        await cleanUp(prefix);
      }
    });

    it("a slot whose instance died is free again once its lease runs out", async () => {
      const prefix = `lmx-t-${randomUUID()}:`;
      const [ra, rb] = await Promise.all([openRedis(TEST_REDIS_URL), openRedis(TEST_REDIS_URL)]);
      try {
        await redisSharedLimits(ra, { prefix, leaseMs: 300 }).slot("e", 1);
        ra.disconnect(); // dies holding it: no release, no renewals
        const started = Date.now();
        const release = await redisSharedLimits(rb, { prefix, maxWaitStepMs: 20 }).slot("e", 1);
        release();
        // Generous bounds: it must wait for the lease, and not much past it.
        assert.ok(Date.now() - started >= 150, `${Date.now() - started} ms`);
        assert.ok(Date.now() - started < 5_000, `${Date.now() - started} ms`);
      } finally {
        rb.disconnect();
        await cleanUp(prefix);
      }
    });
  });
}
