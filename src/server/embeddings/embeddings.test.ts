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
