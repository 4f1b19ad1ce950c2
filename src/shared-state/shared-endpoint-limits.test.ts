import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import { configSchema } from "../config/config-schema.ts";
import type { LoadedConfig } from "../config/load-config.ts";
import { createRunContext } from "../core/context.ts";
import { AbortedError } from "../core/errors/aborted-error.ts";
import { createModelResolver } from "../providers/resolve-model.ts";
import { startOpenAITestServer } from "../testing/openai-test-server.ts";
import { openRedis } from "./open-redis.ts";
import { redisSharedLimits } from "./redis-shared-limits.ts";
import { redisAnswers, TEST_REDIS_URL } from "./testing/redis-server-process.ts";

const available = await redisAnswers();
if (!available) console.log(`skipped: no Redis answers at ${TEST_REDIS_URL}`);
const ask = { messages: [{ role: "user" as const, content: "6*7?" }], max_tokens: 10 };

function configFor(url: string, endpoint: Record<string, unknown>): LoadedConfig {
  return {
    ...configSchema.parse({
      endpoints: { up: { type: "openai", baseURL: url, apiKey: "sk-up", retries: 0, ...endpoint } },
    }),
    env: {},
  };
}

describe("an endpoint's limits hold across instances", { skip: !available }, () => {
  it("two instances together never run more than the endpoint's concurrency at once", async () => {
    let inFlight = 0;
    let peak = 0;
    const upstream = await startOpenAITestServer({
      reply: async () => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setTimeout(r, 40));
        inFlight--;
        return "42";
      },
    });
    const prefix = `lmx-t-${randomUUID()}:`;
    const [ra, rb] = await Promise.all([openRedis(TEST_REDIS_URL), openRedis(TEST_REDIS_URL)]);
    const config = configFor(upstream.url, { concurrency: 3 });
    const [a, b] = [ra, rb].map((r) =>
      createModelResolver({ config, sharedLimits: redisSharedLimits(r, { prefix, maxWaitStepMs: 20 }) }),
    );
    try {
      const lms = [a!("up:m"), b!("up:m")];
      await Promise.all(Array.from({ length: 12 }, (_, i) => lms[i % 2]!.complete(ask)));
      assert.equal(upstream.requests.length, 12);
      assert.equal(peak, 3, "each instance alone would allow 3, together 6");
    } finally {
      await Promise.all([a!.close(), b!.close()]);
      ra.disconnect();
      rb.disconnect();
      await upstream.close();
    }
  });

  it("requests per minute are counted across instances; a call past the limit waits (and can be aborted)", async () => {
    const upstream = await startOpenAITestServer({ reply: () => "42" });
    const prefix = `lmx-t-${randomUUID()}:`;
    const [ra, rb] = await Promise.all([openRedis(TEST_REDIS_URL), openRedis(TEST_REDIS_URL)]);
    const config = configFor(upstream.url, { requestsPerMinute: 4 });
    const [a, b] = [ra, rb].map((r) => createModelResolver({ config, sharedLimits: redisSharedLimits(r, { prefix }) }));
    try {
      for (let i = 0; i < 4; i++) await (i % 2 ? a! : b!)("up:m").complete(ask);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      await assert.rejects(a!("up:m").complete(ask, createRunContext({ signal: controller.signal })), (e) =>
        AbortedError.isInstance(e),
      );
      assert.equal(upstream.requests.length, 4);
    } finally {
      await Promise.all([a!.close(), b!.close()]);
      ra.disconnect();
      rb.disconnect();
      await upstream.close();
    }
  });

  it("without Redis, per-minute limits hold in the process", async () => {
    const upstream = await startOpenAITestServer({ reply: () => "42" });
    const resolve = createModelResolver({ config: configFor(upstream.url, { tokensPerMinute: 60 }) });
    try {
      // Each call counts its worst case while it runs, then what it spent (a few tokens): many fit.
      for (let i = 0; i < 3; i++) await resolve("up:m").complete(ask);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      // 200 tokens of worst case do not fit a minute of 60 that already holds spent tokens.
      await assert.rejects(
        resolve("up:m").complete({ ...ask, max_tokens: 200 }, createRunContext({ signal: controller.signal })),
        (e) => AbortedError.isInstance(e),
      );
    } finally {
      await resolve.close();
      await upstream.close();
    }
  });
});
