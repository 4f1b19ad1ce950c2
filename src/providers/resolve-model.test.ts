import assert from "node:assert/strict";
import { test } from "node:test";
import { configSchema } from "../config/config-schema.ts";
import { UpstreamError } from "../core/errors/upstream-error.ts";
import { startHostileUpstream } from "../testing/hostile-upstream.ts";
import { startOpenAITestServer } from "../testing/openai-test-server.ts";
import { createModelResolver } from "./resolve-model.ts";

const ask = { messages: [{ role: "user" as const, content: "hi" }] };

test("the config's reply bounds (idleTimeoutMs, maxResponseBytes, totalTimeoutMs) reach the provider", async () => {
  const server = await startHostileUpstream({ kind: "headers-only" });
  try {
    const settings = {
      baseURL: server.url,
      retries: 0,
      idleTimeoutMs: 200,
      maxResponseBytes: 64 * 1024,
      totalTimeoutMs: 5_000,
    };
    const resolve = createModelResolver({
      config: { ...configSchema.parse({ providers: { openai: settings } }), env: {} },
    });
    const started = performance.now();
    await assert.rejects(
      resolve("openai:m").complete(ask),
      (e) => UpstreamError.isInstance(e) && /idleTimeoutMs/.test(e.message),
    );
    // The default idle timeout is 60 s; a generous 3 s margin shows the configured 200 ms was used.
    assert.ok(performance.now() - started < 3_000);
    server.behaviour = { kind: "huge-body", bytes: 1024 * 1024 };
    await assert.rejects(
      resolve("openai:m").complete(ask),
      (e) => UpstreamError.isInstance(e) && /maxResponseBytes/.test(e.message),
    );
    await resolve.close();
  } finally {
    await server.close();
  }
});

test("the resolver keeps at most maxModels LMs, the most recently used; a dropped spec is made again and works", async () => {
  const server = await startOpenAITestServer({ reply: () => "42" });
  const resolve = createModelResolver({
    config: { ...configSchema.parse({ providers: { openai: { baseURL: server.url, retries: 0 } } }), env: {} },
    maxModels: 3,
  });
  try {
    const first = resolve("openai:m-0");
    assert.equal(resolve("openai:m-0"), first, "a kept spec gives the same LM");
    const m1 = resolve("openai:m-1");
    resolve("openai:m-2");
    assert.equal(resolve("openai:m-0"), first, "m-0 was used last, so it stays");
    resolve("openai:m-3");
    assert.equal(resolve("openai:m-0"), first, "kept: m-1, the least recently used, was dropped instead");
    assert.notEqual(resolve("openai:m-1"), m1, "m-1 was dropped and is made again");
    for (let i = 0; i < 1000; i++) resolve(`openai:many-${i}`);
    assert.notEqual(resolve("openai:m-0"), first, "past the cap the old LM is dropped and a new one made");
    const reply = await resolve("openai:m-0").complete(ask);
    assert.equal(reply.choices[0]!.message.content, "42");
    assert.equal(server.requests.at(-1)!.body.model, "m-0");
  } finally {
    await resolve.close();
    await server.close();
  }
});
