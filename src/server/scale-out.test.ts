import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import OpenAI from "openai";
import { startServeProcess } from "../cli/testing/serve-process.ts";
import { openRedis } from "../shared-state/open-redis.ts";
import { redisKeyLedger } from "../shared-state/redis-key-ledger.ts";
import { redisAnswers, TEST_REDIS_URL } from "../shared-state/testing/redis-server-process.ts";
import { startOpenAITestServer } from "../testing/openai-test-server.ts";
import { createHash } from "node:crypto";

const KEY = "scale-out-key-0123456789abcdef";
const available = await redisAnswers();
if (!available) console.log(`skipped: no Redis answers at ${TEST_REDIS_URL}`);
const tenant = createHash("sha256").update(KEY).digest().subarray(0, 8).toString("hex");

describe("several lmx serve processes as one", { skip: !available }, () => {
  it("an instance killed mid-request cannot make its key overspend: its hold counts as spent", async () => {
    const upstream = await startOpenAITestServer({ reply: () => "42" });
    const prefix = `lmx-t-${randomUUID()}:`;
    const dir = mkdtempSync(join(tmpdir(), "lmx-scale-"));
    const config = join(dir, "lmx.config.json");
    writeFileSync(
      config,
      JSON.stringify({
        providers: { openai: { baseURL: upstream.url, apiKey: "sk-up", retries: 0 } },
        redis: { url: TEST_REDIS_URL, prefix },
        server: {
          keys: [KEY],
          keyBudget: { calls: 4, period: "total", perRequest: { calls: 2 } },
          limits: { requestMs: 1_500 },
        },
      }),
    );
    const args = ["--config", config, "--model", "openai:test-model"];
    const [a, b] = await Promise.all([startServeProcess(args, { cwd: dir }), startServeProcess(args, { cwd: dir })]);
    const redis = await openRedis(TEST_REDIS_URL);
    const ledger = redisKeyLedger(redis, { prefix });
    const ask = (url: string) =>
      new OpenAI({ baseURL: url, apiKey: KEY, maxRetries: 0 }).chat.completions.create({
        model: "openai:test-model",
        messages: [{ role: "user", content: "6*7?" }],
      });
    try {
      assert.match(a.stderr() + (await ask(a.url)).choices[0]!.message.content, /42/);
      // A slow upstream keeps the next request in flight on A; A dies holding its share.
      upstream.behaviour.delayMs = 10_000;
      const lost = ask(a.url).catch(() => "lost");
      for (let i = 0; i < 100 && upstream.requests.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal((await ledger.spend(tenant, "total")).held.calls, 2);
      await a.kill();
      assert.equal(await lost, "lost");
      upstream.behaviour.delayMs = 0;
      // 1 spent + 2 held by the dead instance: B may spend the last one only.
      assert.equal((await ask(b.url)).choices[0]!.message.content, "42");
      await assert.rejects(ask(b.url), (e) => e instanceof OpenAI.RateLimitError);
      // Past the dead hold's expiry (requestMs + margin) it is spending in full, never given back.
      await new Promise((r) => setTimeout(r, 3_200));
      const spend = await ledger.spend(tenant, "total");
      assert.deepEqual([spend.spent.calls, spend.held.calls], [4, 0]);
      await assert.rejects(ask(b.url), (e) => e instanceof OpenAI.RateLimitError);
      assert.ok(upstream.requests.length <= 4, `${upstream.requests.length} upstream calls for a budget of 4`);
    } finally {
      redis.disconnect();
      await Promise.all([a.kill(), b.stop()]);
      await upstream.close();
    }
  });
});
