import assert from "node:assert/strict";
import { test } from "node:test";
import { startProxyFixture } from "../testing/proxy-fixture.ts";

test("/v1/embeddings through the openai SDK: base64 (its default) and float vectors, usage, accounting in the trace", async () => {
  const f = await startProxyFixture({
    config: { prices: { "openai:text-embedding-3-small": { input: 20, output: 0 } } },
  });
  try {
    const b64 = await f.client.embeddings.create({ model: "text-embedding-3-small", input: ["a cat", "a dog"] });
    assert.equal(b64.object, "list");
    assert.equal(b64.data.length, 2);
    assert.ok(Array.isArray(b64.data[0]!.embedding) && b64.data[0]!.embedding.length > 8, "the SDK decoded base64");
    const float = await f.client.embeddings.create({
      model: "openai:text-embedding-3-small",
      input: "a cat",
      encoding_format: "float",
    });
    const short = await f.client.embeddings.create({
      model: "text-embedding-3-small",
      input: "a cat",
      dimensions: 8,
      encoding_format: "float",
    });
    assert.equal(f.upstream.requests[2]!.body.dimensions, 8, "dimensions reach the upstream");
    assert.equal(short.data[0]!.embedding.length, 8);
    for (const [i, x] of float.data[0]!.embedding.entries())
      assert.ok(Math.abs(x - b64.data[0]!.embedding[i]!) < 1e-6, "same vector either way");
    assert.equal(b64.model, "text-embedding-3-small");
    assert.ok(b64.usage.prompt_tokens > 0);
    assert.equal(b64.usage.total_tokens, b64.usage.prompt_tokens);
    const sent = f.upstream.requests.map((r) => [r.path, r.body.model]);
    assert.deepEqual(sent, Array(3).fill(["/v1/embeddings", "text-embedding-3-small"]));
    const traces = (await (await fetch(`${f.proxy.url}/traces`)).json()) as { data: any[] };
    const trace = traces.data[2];
    assert.equal(trace.status, "ok");
    assert.equal(trace.model, "text-embedding-3-small");
    assert.equal(trace.usage.calls, 1);
    assert.equal(trace.usage.prompt_tokens, b64.usage.prompt_tokens);
    assert.ok(trace.usage.cost_usd > 0, "priced like any call");
  } finally {
    await f.close();
  }
});

test("/v1/embeddings is budgeted and bounded: calls budget, input count and size, token arrays, models", async () => {
  const f = await startProxyFixture({ server: { limits: { embeddingInputs: 3, embeddingInputChars: 100 } } });
  const post = async (body: unknown) => {
    const r = await fetch(`${f.proxy.url}/embeddings`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as any };
  };
  try {
    const model = "text-embedding-3-small";
    let r = await post({ model, input: "x", lmx: { budget: { calls: 0 } } });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.error.code, "budget_exceeded");
    r = await post({ model, input: ["a", "b", "c", "d"] });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.param, "input");
    r = await post({ model, input: "x".repeat(101) });
    assert.equal(r.status, 400);
    r = await post({ model, input: [[1, 2, 3]] });
    assert.equal(r.status, 400);
    r = await post({ model, input: "x", surprise: 1 });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /unknown parameter: surprise/);
    for (const bad of [
      "llama:/etc/passwd",
      "replay:../x.jsonl",
      "majority-vote@openai:test-model",
      "$(touch /tmp/x)",
    ]) {
      r = await post({ model: bad, input: "x" });
      assert.ok(r.status === 400 || r.status === 404, `${bad}: ${r.status}`);
      assert.doesNotMatch(JSON.stringify(r.body), /sk-test-SECRET/);
    }
    assert.equal(f.upstream.requests.length, 0, "nothing reached the upstream");
    const traces = (await (await fetch(`${f.proxy.url}/traces`)).json()) as { data: any[] };
    assert.equal(traces.data[0]?.status, "error", "the refused budget is traced");
  } finally {
    await f.close();
  }
});

test("/v1/embeddings: when one batch is refused, the batches in flight still end in the trace and the key's spend", async () => {
  const key = "embed-key-0123456789abcdef";
  const f = await startProxyFixture({
    clientKey: key,
    server: { keys: [key], keyBudget: { tokens: 5000, period: "total", perRequest: { tokens: 3000 } } },
    config: { prices: { "openai:text-embedding-3-small": { input: 1000, output: 0 } } },
  });
  const post = async (body: unknown) => {
    const r = await fetch(`${f.proxy.url}/embeddings`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as any };
  };
  try {
    // Three batches of 128 texts: the third cannot reserve what is left of the request's 3,000 tokens.
    const r = await post({ model: "text-embedding-3-small", input: Array(384).fill("x".repeat(40)) });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.error.code, "budget_exceeded");
    const called = f.upstream.requests.filter((q) => q.path === "/v1/embeddings").length;
    assert.ok(called >= 1, "some batches reached the upstream");
    const traces = (await (
      await fetch(`${f.proxy.url}/traces`, { headers: { authorization: `Bearer ${key}` } })
    ).json()) as { data: any[] };
    assert.equal(traces.data[0].usage.calls, called, "every upstream call is in the trace");
    // What those calls spent is the key's: the rest of its 5,000 tokens is all a second request may use.
    const spent = traces.data[0].usage.prompt_tokens;
    assert.ok(spent > 0);
    const next = await post({ model: "text-embedding-3-small", input: Array(128).fill("x".repeat(40)) });
    const fits = 5000 - spent >= 1280;
    assert.equal(next.status, fits ? 200 : 429, JSON.stringify(next.body));
  } finally {
    await f.close();
  }
});

test("/v1/embeddings: a plain name passed through to a provider clients may not name is refused, as on chat", async () => {
  const f = await startProxyFixture({ server: { allowProviders: ["anthropic"] } });
  const post = async (path: string, body: unknown) =>
    (
      await fetch(`${f.proxy.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      })
    ).status;
  try {
    const chat = await post("/chat/completions", { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
    assert.equal(chat, 400);
    assert.equal(await post("/embeddings", { model: "openai:text-embedding-3-large", input: "x" }), 400);
    assert.equal(await post("/embeddings", { model: "text-embedding-3-large", input: "x" }), 400);
    assert.equal(f.upstream.requests.length, 0, "nothing reached the openai endpoint");
  } finally {
    await f.close();
  }
});
