import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import OpenAI from "openai";
import { configSchema } from "../config/config-schema.ts";
import type { LoadedConfig } from "../config/load-config.ts";
import { createModelResolver } from "../providers/resolve-model.ts";
import { openSharedState, type SharedState } from "../shared-state/open-shared-state.ts";
import { redisAnswers, redisServerProcess, TEST_REDIS_URL } from "../shared-state/testing/redis-server-process.ts";
import { startOpenAITestServer, type OpenAITestServer } from "../testing/openai-test-server.ts";
import type { ServerConfigInput } from "./server-config.ts";
import { startServer, type RunningServer } from "./start-server.ts";

const KEY = "client-key-0123456789abcdef";
const OPERATOR = "operator-key-0123456789abcdef";
const available = await redisAnswers();
if (!available) console.log(`skipped: no Redis answers at ${TEST_REDIS_URL}`);

/** Two `lmx serve` apps (two instances) whose only link is the Redis ledger they both use. */
async function twoInstances(server: ServerConfigInput, url = TEST_REDIS_URL, failOpen = false) {
  const upstream = await startOpenAITestServer({ reply: () => "42" });
  const config: LoadedConfig = {
    ...configSchema.parse({
      providers: { openai: { baseURL: upstream.url, apiKey: "sk-up", retries: 0 } },
      prices: { "openai:test-model": { input: 1000, output: 2000 } },
    }),
    env: {},
  };
  const prefix = `lmx-t-${randomUUID()}:`;
  const states: SharedState[] = [];
  const proxies: RunningServer[] = [];
  for (let i = 0; i < 2; i++) {
    const state = await openSharedState({ url, prefix, failOpen });
    states.push(state);
    const resolveModel = createModelResolver({ config });
    proxies.push(
      await startServer({
        config,
        resolveModel,
        defaultModel: "openai:test-model",
        server: { keys: [KEY], operatorKeys: [OPERATOR], ...server },
        ledger: state.ledger,
        port: 0,
      }),
    );
  }
  const client = (i: number, key = KEY) => new OpenAI({ baseURL: proxies[i]!.url, apiKey: key, maxRetries: 0 });
  return {
    upstream,
    client,
    async close() {
      await Promise.all(proxies.map((p) => p.close()));
      await Promise.all(states.map((s) => s.close()));
      await upstream.close();
    },
  };
}

/** Whether `call` succeeds within `ms`, tried every 100 ms (a service coming back takes a moment). */
async function servedWithin(ms: number, call: () => Promise<unknown>): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100)))
    if (
      await call().then(
        () => true,
        () => false,
      )
    )
      return true;
  return false;
}

const ask = (client: OpenAI) =>
  client.chat.completions.create({ model: "openai:test-model", messages: [{ role: "user", content: "6*7?" }] });

describe("per-key budgets shared by several proxies on Redis", { skip: !available }, () => {
  let pair: Awaited<ReturnType<typeof twoInstances>>;
  let upstream: OpenAITestServer;
  before(async () => {
    pair = await twoInstances({ keyBudget: { calls: 6, period: "day", perRequest: { calls: 1 } } });
    upstream = pair.upstream;
  });
  after(async () => pair.close());

  it("requests through both instances at once never spend more than the key's budget together", async () => {
    const results = await Promise.allSettled(Array.from({ length: 16 }, (_, i) => ask(pair.client(i % 2))));
    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason);
    assert.equal(ok.length, 6);
    assert.equal(upstream.requests.length, 6);
    for (const e of refused) {
      assert.ok(e instanceof OpenAI.RateLimitError, String(e));
      assert.equal((e as InstanceType<typeof OpenAI.RateLimitError>).code, "insufficient_quota");
      assert.match((e as Error).message, /calls budget for the day is spent/);
    }
    // Spent on one instance is spent on the other.
    await assert.rejects(ask(pair.client(1)), OpenAI.RateLimitError);
    await assert.rejects(ask(pair.client(0)), OpenAI.RateLimitError);
  });

  it("operator keys are not limited", async () => {
    const r = await ask(pair.client(0, OPERATOR));
    assert.equal(r.choices[0]!.message.content, "42");
  });
});

describe("a dollar budget per key", { skip: !available }, () => {
  it("runs each request under its share and stops the key at its budget, whatever instance answers", async () => {
    const pair = await twoInstances({ keyBudget: { cost_usd: 0.1, period: "month", perRequest: { cost_usd: 0.04 } } });
    try {
      let spent = 0;
      let answered = 0;
      for (let i = 0; i < 40; i++) {
        try {
          const r = await ask(pair.client(i % 2));
          spent += Number((r as unknown as { usage: { cost_usd?: number } }).usage.cost_usd ?? 0);
          answered++;
        } catch (e) {
          assert.ok(e instanceof OpenAI.RateLimitError, String(e));
          break;
        }
      }
      assert.ok(answered > 1, `answered ${answered}`);
      // What the upstream reported, priced: never more than the budget.
      const paid = pair.upstream.reported.reduce(
        (s, u) => s + (u.prompt_tokens * 1000 + u.completion_tokens * 2000) / 1e6,
        0,
      );
      assert.ok(paid <= 0.1 + 1e-9, `paid ${paid}`);
      assert.ok(paid > 0.05, `paid ${paid}: the key should get most of its budget`);
      assert.ok(spent === 0 || Math.abs(spent - paid) < 1e-6 || spent <= 0.1);
    } finally {
      await pair.close();
    }
  });
});

describe("when Redis goes away", { skip: !available }, () => {
  it("requests get a 503 with Retry-After and no host detail, and are served again when it is back", async () => {
    const redis = await redisServerProcess();
    const pair = await twoInstances({ keyBudget: { calls: 100 } }, redis.url);
    try {
      assert.equal((await ask(pair.client(0))).choices[0]!.message.content, "42");
      await redis.stop();
      const e = await ask(pair.client(1)).then(
        () => assert.fail("answered without its ledger"),
        (error: unknown) => error,
      );
      assert.ok(e instanceof OpenAI.InternalServerError, String(e));
      assert.equal((e as InstanceType<typeof OpenAI.APIError>).status, 503);
      assert.equal((e as InstanceType<typeof OpenAI.APIError>).headers?.get("retry-after"), "1");
      assert.doesNotMatch((e as Error).message, /127\.0\.0\.1|redis:/);
      // The operator is not held to the ledger, so is still served.
      assert.equal((await ask(pair.client(0, OPERATOR))).choices[0]!.message.content, "42");
      await redis.start();
      const served = await servedWithin(6_000, () => ask(pair.client(1)));
      assert.ok(served, "not served again after Redis came back");
    } finally {
      await pair.close();
      await redis.stop();
    }
  });

  it(
    "a stalled Redis (paused, not gone) gives a 503 within its command timeout, not a request held forever",
    { timeout: 60_000 },
    async () => {
      const redis = await redisServerProcess();
      const pair = await twoInstances({ keyBudget: { calls: 100 } }, redis.url);
      try {
        assert.equal((await ask(pair.client(0))).choices[0]!.message.content, "42");
        redis.pause();
        const started = Date.now();
        const e = await ask(pair.client(1)).then(
          () => assert.fail("answered without its ledger"),
          (error: unknown) => error as { status?: number },
        );
        // The command timeout is 2 s; the margin is for a loaded machine.
        const waited = Date.now() - started;
        assert.equal(e.status, 503, String(e));
        assert.ok(waited < 15_000, `answered after ${waited} ms`);
        redis.resume();
        const served = await servedWithin(6_000, () => ask(pair.client(1)));
        assert.ok(served, "not served again after Redis resumed");
      } finally {
        redis.resume();
        await pair.close();
        await redis.stop();
      }
    },
  );

  it("with failOpen, each instance keeps serving on its own ledger", async () => {
    const redis = await redisServerProcess();
    const pair = await twoInstances({ keyBudget: { calls: 100 } }, redis.url, true);
    try {
      await redis.stop();
      assert.equal((await ask(pair.client(0))).choices[0]!.message.content, "42");
    } finally {
      await pair.close();
      await redis.stop();
    }
  });
});

describe("a key's budget counts on every route that calls a model", { skip: !available }, () => {
  it("chat, responses, messages and embeddings draw on one budget, and each is refused once it is spent", async () => {
    const pair = await twoInstances({ keyBudget: { calls: 4, period: "day", perRequest: { calls: 1 } } });
    const { default: Anthropic } = await import("@anthropic-ai/sdk");
    const openai = pair.client(0);
    const anthropic = new Anthropic({ baseURL: openai.baseURL.replace(/\/v1$/, ""), apiKey: KEY, maxRetries: 0 });
    const calls = {
      chat: () => ask(openai),
      responses: () => pair.client(1).responses.create({ model: "openai:test-model", input: "6*7?" }),
      messages: () =>
        anthropic.messages.create({
          model: "openai:test-model",
          max_tokens: 20,
          messages: [{ role: "user", content: "6*7?" }],
        }),
      embeddings: () => openai.embeddings.create({ model: "openai:text-embedding-3-small", input: "six times seven" }),
    };
    try {
      for (const call of Object.values(calls)) await call();
      for (const [name, call] of Object.entries(calls))
        await assert.rejects(call(), (e: { status?: number }) => e.status === 429, name);
      assert.equal(pair.upstream.requests.length, 4);
    } finally {
      await pair.close();
    }
  });
});
