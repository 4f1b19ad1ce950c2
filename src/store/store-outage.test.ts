import assert from "node:assert/strict";
import { after, test } from "node:test";
import OpenAI from "openai";
import { PgCache } from "../cache/pg-cache.ts";
import type { LoadedConfig } from "../config/load-config.ts";
import { configSchema } from "../config/config-schema.ts";
import { createModelResolver } from "../providers/resolve-model.ts";
import { startServer } from "../server/index.ts";
import { startOpenAITestServer } from "../testing/openai-test-server.ts";
import { PgDatabase } from "./postgres/pg-database.ts";
import { createTestDatabase } from "./postgres/testing/test-database.ts";
import { pgTraceStore } from "./trace-store/pg-trace-store.ts";

const database = await createTestDatabase();

/** `lmx serve` whose cache and traces are in the database at `url`. */
async function proxyOn(url: string) {
  const upstream = await startOpenAITestServer({ reply: () => "fresh answer" });
  const config: LoadedConfig = {
    ...configSchema.parse({ providers: { openai: { baseURL: upstream.url, apiKey: "k", retries: 0 } } }),
    env: {},
  };
  const db = new PgDatabase({ url, connectTimeoutMs: 1000 });
  const resolveModel = createModelResolver({ config, cache: new PgCache(db) });
  const logged: string[] = [];
  const server = await startServer({
    config,
    resolveModel,
    defaultModel: "openai:test-model",
    traces: pgTraceStore(db),
    port: 0,
    log: (line) => logged.push(line),
  });
  const client = new OpenAI({ baseURL: server.url, apiKey: "none", maxRetries: 0 });
  return {
    client,
    logged,
    async close() {
      await server.close();
      await resolveModel.close();
      await db.close();
      await upstream.close();
    },
  };
}

test("with the store's PostgreSQL not answering, a request gets a 503 with a fixed message; the log has the detail", async () => {
  const proxy = await proxyOn("postgres://lmx:hunter2@127.0.0.1:1/lmx");
  try {
    await assert.rejects(
      proxy.client.chat.completions.create({ model: "openai:test-model", messages: [{ role: "user", content: "hi" }] }),
      (e: unknown) => {
        const error = e as { status?: number; message?: string };
        assert.equal(error.status, 503);
        assert.match(String(error.message), /not configured for this request; the server log has the detail/);
        assert.doesNotMatch(String(error.message), /127\.0\.0\.1|postgres|hunter2/);
        return true;
      },
    );
    assert.ok(proxy.logged.some((l) => /response cache at postgres:\/\/lmx:\*\*\*@127\.0\.0\.1:1\/lmx/.test(l)));
    assert.ok(proxy.logged.every((l) => !l.includes("hunter2")));
  } finally {
    await proxy.close();
  }
});

if (database) {
  after(() => database.drop());

  test("with every connection of the store ended mid-service, the next requests are served", async () => {
    const proxy = await proxyOn(database.url);
    try {
      const ask = { model: "openai:test-model", messages: [{ role: "user" as const, content: "hi" }] };
      assert.equal((await proxy.client.chat.completions.create(ask)).choices[0]!.message.content, "fresh answer");
      await database.admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [
        database.name,
      ]);
      for (let i = 0; i < 3; i++)
        assert.equal((await proxy.client.chat.completions.create(ask)).choices[0]!.message.content, "fresh answer");
    } finally {
      await proxy.close();
    }
  });
}
