import Anthropic from "@anthropic-ai/sdk";
import assert from "node:assert/strict";
import { test } from "node:test";
import { startProxyFixture, UPSTREAM_KEY, type ProxyFixture } from "../testing/proxy-fixture.ts";

/** Errors of `POST /v1/messages` as the official Anthropic SDK raises them: typed classes, Anthropic's body. */
const KEY = "client-key-0123456789";
const ask = { model: "openai:test-model", max_tokens: 20, messages: [{ role: "user" as const, content: "hi" }] };

function sdk(f: ProxyFixture, apiKey = "no-key"): Anthropic {
  return new Anthropic({ baseURL: f.proxy.url.replace(/\/v1$/, ""), apiKey, maxRetries: 0 });
}

/** The SDK's error of a failing call, checked to be of `type` with Anthropic's error body. */
type ApiError = InstanceType<typeof Anthropic.APIError>;

async function raised<T extends abstract new (...args: any) => ApiError>(
  type: T,
  call: Promise<unknown>,
  errorType: string,
): Promise<InstanceType<T>> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    const e = error as InstanceType<T>;
    assert.equal(e.type, errorType);
    assert.equal((e.error as any).type, "error");
    assert.equal(typeof e.apiMessage, "string");
    assert.ok(!JSON.stringify(e.error).includes(UPSTREAM_KEY), "no upstream key in the answer");
    return e;
  }
  assert.fail("the call succeeded");
}

test("request mistakes are BadRequestError, unknown models NotFoundError, with lmx's code in details", async () => {
  const f = await startProxyFixture();
  try {
    const client = sdk(f);
    let e: ApiError = await raised(
      Anthropic.BadRequestError,
      client.messages.create({ ...ask, model: "self-consistensy(n=3)@openai:test-model" }),
      "invalid_request_error",
    );
    assert.match(e.apiMessage!, /unknown technique "self-consistensy"/);
    assert.equal((e.details as any).param, "model");
    e = await raised(
      Anthropic.BadRequestError,
      client.messages.create({ ...ask, max_tokens: undefined } as never),
      "invalid_request_error",
    );
    assert.match(e.apiMessage!, /^max_tokens/);
    for (const bad of [
      { temperature: 1.5 },
      { messages: [{ role: "system", content: "x" }] },
      { messages: [] },
      {
        messages: [{ role: "user", content: [{ type: "image", source: { type: "url", url: "file:///etc/passwd" } }] }],
      },
      { messages: [{ role: "user", content: [{ type: "tool_result" }] }] },
      { tools: [{ name: "f" }] },
      { tools: [{ type: "web_search_20250305", name: "web_search" }] },
      { tool_choice: { type: "tool" } },
      { thinking: { type: "enabled", budget_tokens: "lots" } },
      { lmx: { technique: "majority-vote(m=3)" } },
      { lmx: { sneaky: true } },
      { stop_sequences: Array.from({ length: 17 }, () => "x") },
    ])
      await raised(
        Anthropic.BadRequestError,
        client.messages.create({ ...ask, ...bad } as never),
        "invalid_request_error",
      );

    e = await raised(Anthropic.NotFoundError, client.messages.create({ ...ask, model: "openai:" }), "not_found_error");
    assert.equal(e.errorCode, "model_not_found");
    // Routes lmx does not have (batches) are Anthropic-shaped 404s too.
    await raised(Anthropic.NotFoundError, client.messages.batches.list(), "not_found_error");
    assert.equal(f.upstream.requests.length, 0);
  } finally {
    await f.close();
  }
});

test("keys: x-api-key and Authorization: Bearer both pass; none or a wrong one is AuthenticationError", async () => {
  const f = await startProxyFixture({ server: { keys: [KEY] } });
  try {
    const ok = await sdk(f, KEY).messages.create(ask);
    assert.equal(ok.type, "message");
    const bearer = new Anthropic({
      baseURL: f.proxy.url.replace(/\/v1$/, ""),
      authToken: KEY,
      apiKey: null,
      maxRetries: 0,
    });
    assert.equal((await bearer.messages.create(ask)).type, "message");
    const e = await raised(
      Anthropic.AuthenticationError,
      sdk(f, "wrong-key-0123456789").messages.create(ask),
      "authentication_error",
    );
    assert.ok(!e.apiMessage!.includes("wrong-key"));
    const res = await fetch(`${f.proxy.url}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(ask),
    });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.type, "authentication_error");
    assert.equal(f.upstream.requests.length, 2);
  } finally {
    await f.close();
  }
});

test("upstream failures: before the stream a typed error with the right status, after it an error event", async () => {
  const f = await startProxyFixture({ behaviour: { failFirst: { count: 2, status: 429, retryAfter: 7 } } });
  try {
    const client = sdk(f);
    const e = await raised(Anthropic.RateLimitError, client.messages.create(ask), "rate_limit_error");
    assert.equal(e.headers?.get("retry-after"), "7");
    await raised(Anthropic.RateLimitError, client.messages.stream(ask).finalMessage(), "rate_limit_error");

    f.upstream.behaviour.failFirst = undefined;
    f.upstream.behaviour.dropAfterEvents = 3;
    const stream = client.messages.stream({ ...ask, model: "openai:test-model" });
    await assert.rejects(stream.finalMessage(), (error: unknown) => {
      assert.ok(error instanceof Anthropic.APIError, String(error));
      assert.equal(error.type, "api_error");
      return true;
    });
  } finally {
    await f.close();
  }
});

test("a full server is a RateLimitError; other methods are 405 and non-JSON bodies 415, Anthropic-shaped", async () => {
  const f = await startProxyFixture({ server: { maxConcurrent: 1 }, behaviour: { delayMs: 500 } });
  try {
    const client = sdk(f);
    const first = client.messages.create(ask);
    await new Promise((r) => setTimeout(r, 100));
    await raised(Anthropic.RateLimitError, client.messages.create(ask), "rate_limit_error");
    await first;
    const get = await fetch(`${f.proxy.url}/messages`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("allow"), "POST");
    assert.equal((await get.json()).type, "error");
    const text = await fetch(`${f.proxy.url}/messages`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify(ask),
    });
    assert.equal(text.status, 415);
    assert.equal((await text.json()).error.type, "invalid_request_error");
  } finally {
    await f.close();
  }
});
