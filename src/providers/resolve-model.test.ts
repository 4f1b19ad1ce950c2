import assert from "node:assert/strict";
import { test } from "node:test";
import { configSchema } from "../config/config-schema.ts";
import { UpstreamError } from "../core/errors/upstream-error.ts";
import { startHostileUpstream } from "../testing/hostile-upstream.ts";
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
