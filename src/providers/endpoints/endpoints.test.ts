// Named endpoints: two OpenAI-compatible servers on two ports, reached as `local:<model>` and
// `hosted:<model>` from config alone, in one cascade and one mixture, each call priced at its own
// endpoint's prices and sent to its own server with its own key.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { costOf } from "../../accounting/prices.ts";
import { configSchema } from "../../config/config-schema.ts";
import type { LoadedConfig } from "../../config/load-config.ts";
import { createRunContext } from "../../core/context.ts";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { lastUserText, resultText } from "../../core/messages.ts";
import { defaultRegistry } from "../../techniques/registry.ts";
import { parseLMSpec } from "../../techniques/spec/build-techniques.ts";
import { startOpenAITestServer, type OpenAITestServer } from "../../testing/index.ts";
import type { Span } from "../../trace/span.ts";
import { createModelResolver } from "../resolve-model.ts";

const LOCAL_PRICE = { input: 1, output: 2 };
const HOSTED_PRICE = { input: 30, output: 60 };
const verifying = (r: any) => lastUserText(r).includes("AI-generated answer: ");

let local: OpenAITestServer;
let hosted: OpenAITestServer;
before(async () => {
  // The small local model gets it wrong and knows it; the hosted one gets it right.
  local = await startOpenAITestServer({
    reply: (r) => (verifying(r) ? "Verdict: Incorrect" : "The answer is 41."),
    models: ["small"],
  });
  hosted = await startOpenAITestServer({
    reply: (r) => (verifying(r) ? "Verdict: Correct" : "17 * 3 = 51. The answer is 51."),
    models: ["big"],
  });
});
after(async () => {
  await local.close();
  await hosted.close();
});

function config(extra: Record<string, unknown> = {}): LoadedConfig {
  return {
    ...configSchema.parse({
      endpoints: {
        local: { type: "openai", baseURL: local.url, prices: { small: LOCAL_PRICE }, capabilities: { nativeN: false } },
        hosted: { type: "openai", baseURL: hosted.url, apiKeyEnv: "HOSTED_KEY", prices: { "*": HOSTED_PRICE } },
      },
      ...extra,
    }),
    // OPENAI_API_KEY must never reach an endpoint's server.
    env: { HOSTED_KEY: "sk-hosted-key", OPENAI_API_KEY: "sk-openai-key" },
  };
}

/** Every LM call span under `root`. */
function lmSpans(root: Span): Span[] {
  return [root, ...root.children.flatMap((c) => lmSpans(c))].filter((s) => s.kind === "lm");
}

/** Each call's cost equals its own tokens at its own endpoint's price; returns the calls per endpoint. */
function assertPricedPerEndpoint(root: Span): Record<string, number> {
  const seen: Record<string, number> = {};
  for (const span of lmSpans(root)) {
    const price = span.name.startsWith("local:") ? LOCAL_PRICE : span.name.startsWith("hosted:") ? HOSTED_PRICE : null;
    assert.ok(price, `unexpected call ${span.name}`);
    assert.ok(span.own.cost_usd > 0);
    assert.equal(span.own.cost_usd, costOf(price, span.own));
    seen[span.name] = (seen[span.name] ?? 0) + span.own.calls;
  }
  return seen;
}

test("a cascade from a local endpoint to a hosted one: each call reaches its server, at its prices", async () => {
  const resolveModel = createModelResolver({ config: config() });
  const lm = parseLMSpec("cascade(models=[hosted:big])@local:small", { registry: defaultRegistry(), resolveModel });
  const [l0, h0] = [local.requests.length, hosted.requests.length];
  const ctx = createRunContext();
  const result = await lm.complete({ messages: [{ role: "user", content: "What is 17 * 3?" }] }, ctx);
  assert.equal(resultText(result), "17 * 3 = 51. The answer is 51.");
  const calls = assertPricedPerEndpoint(ctx.span);
  const toLocal = local.requests.slice(l0);
  const toHosted = hosted.requests.slice(h0);
  assert.equal(calls["local:small"], toLocal.length);
  assert.equal(calls["hosted:big"], toHosted.length);
  assert.ok(toLocal.length > 0 && toHosted.length > 0);
  assert.ok(toLocal.every((r) => r.body.model === "small"));
  assert.ok(toHosted.every((r) => r.body.model === "big"));
  // Each server saw its own key: the env var the endpoint names, else a placeholder, never OPENAI_API_KEY.
  assert.ok(toHosted.every((r) => r.headers.authorization === "Bearer sk-hosted-key"));
  assert.ok(toLocal.every((r) => r.headers.authorization === "Bearer lmx-no-key"));
  // capabilities.nativeN=false: the local endpoint got one request per sample, never `n`.
  assert.ok(toLocal.every((r) => (r.body.n ?? 1) === 1));
  assert.ok(result.usage.cost_usd > 0);
  await resolveModel.close();
});

test("a mixture of agents over two endpoints: proposers on both servers, each charged at its own price", async () => {
  const resolveModel = createModelResolver({ config: config() });
  const lm = parseLMSpec("mixture-of-agents(models=[local:small, hosted:big])@hosted:big", {
    registry: defaultRegistry(),
    resolveModel,
  });
  const [l0, h0] = [local.requests.length, hosted.requests.length];
  const ctx = createRunContext();
  const result = await lm.complete({ messages: [{ role: "user", content: "What is 17 * 3?" }] }, ctx);
  const calls = assertPricedPerEndpoint(ctx.span);
  assert.equal(calls["local:small"], local.requests.length - l0);
  assert.equal(calls["hosted:big"], hosted.requests.length - h0);
  assert.ok(calls["local:small"]! >= 1 && calls["hosted:big"]! >= 2);
  const total = lmSpans(ctx.span).reduce((sum, s) => sum + s.own.cost_usd, 0);
  assert.ok(Math.abs(result.usage.cost_usd - total) < 1e-12);
  await resolveModel.close();
});

test("an endpoint model without a price cannot run under a cost budget; an unknown name is a clear error", async () => {
  const resolveModel = createModelResolver({ config: config() });
  const before = local.requests.length;
  await assert.rejects(
    resolveModel("local:other").complete(
      { messages: [{ role: "user", content: "hi" }] },
      createRunContext({ budget: { cost_usd: 1 } }),
    ),
    (e) => InvalidRequestError.isInstance(e) && /needs a price for local:other/.test(e.message),
  );
  assert.equal(local.requests.length, before);
  assert.throws(
    () => resolveModel("nowhere:small"),
    (e) => InvalidRequestError.isInstance(e) && /local:<model>, hosted:<model>/.test(e.message),
  );
  await resolveModel.close();
});

test("an endpoint whose apiKeyEnv is unset fails to resolve with a configuration error naming the variable", () => {
  const resolveModel = createModelResolver({ config: { ...config(), env: {} } });
  assert.throws(
    () => resolveModel("hosted:big"),
    (e) => ConfigurationError.isInstance(e) && /HOSTED_KEY/.test(e.message),
  );
});

test("the config schema rejects endpoints that shadow a provider, lack a URL or give two keys", () => {
  const bad = [
    { openai: { type: "openai", baseURL: "http://127.0.0.1:1/v1" } },
    { x: { type: "openai" } },
    { x: { type: "llama", baseURL: "http://127.0.0.1:1/v1" } },
    { x: { type: "openai", baseURL: "http://127.0.0.1:1/v1", apiKey: "k", apiKeyEnv: "K" } },
    { "Bad Name": { type: "openai", baseURL: "http://127.0.0.1:1/v1" } },
  ];
  for (const endpoints of bad)
    assert.equal(configSchema.safeParse({ endpoints }).success, false, JSON.stringify(endpoints));
  assert.equal(
    configSchema.safeParse({ endpoints: { "my-vllm": { type: "anthropic", baseURL: "http://127.0.0.1:1" } } }).success,
    true,
  );
});
