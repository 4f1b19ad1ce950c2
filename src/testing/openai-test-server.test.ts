import assert from "node:assert/strict";
import { test } from "node:test";
import OpenAI from "openai";
import { hashedEmbedding } from "./hashed-embedding.ts";
import { startOpenAITestServer } from "./openai-test-server.ts";

test("models and embeddings work through the official SDK; embeddings are deterministic and similarity-bearing", async () => {
  const server = await startOpenAITestServer({ models: ["alpha", "beta"], embeddingDimensions: 64 });
  try {
    const client = new OpenAI({ baseURL: server.url, apiKey: "x", maxRetries: 0 });
    const models = await client.models.list();
    assert.deepEqual(
      models.data.map((m) => m.id),
      ["alpha", "beta"],
    );
    // The SDK asks for base64 by default and decodes it; the floats must survive the trip.
    const texts = ["the cat sat on the mat", "a cat sat on a mat", "quarterly revenue grew"];
    const res = await client.embeddings.create({ model: "e", input: texts });
    const [a, b, c] = res.data.map((d) => d.embedding);
    assert.equal(a!.length, 64);
    const cos = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i]!, 0);
    assert.ok(cos(a!, b!) > 0.4 && cos(a!, c!) < 0.3, `cos(a,b)=${cos(a!, b!)} cos(a,c)=${cos(a!, c!)}`);
    const expected = hashedEmbedding({ text: texts[0]!, dimensions: 64 });
    a!.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-6));
    const floats = await client.embeddings.create({ model: "e", input: "the cat", encoding_format: "float" });
    assert.equal(floats.data[0]!.embedding.length, 64);
    assert.equal(res.usage.prompt_tokens, 6 + 6 + 3, "one token a word");
  } finally {
    await server.close();
  }
});

test("SSE answers are data: lines, a usage chunk when asked, and [DONE]", async () => {
  const server = await startOpenAITestServer({ reply: () => "one two" });
  try {
    const res = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "m",
        messages: [{ role: "user", content: "hi" }],
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
    assert.equal(res.headers.get("content-type"), "text/event-stream");
    const events = (await res.text()).split("\n\n").filter(Boolean);
    assert.ok(events.every((e) => e.startsWith("data: ")));
    assert.equal(events.at(-1), "data: [DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)));
    assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? "").join(""), "one two");
    assert.deepEqual(chunks.at(-1).choices, []);
    assert.equal(chunks.at(-1).usage.completion_tokens, 2);
    assert.deepEqual(server.reported, [{ prompt_tokens: 4, completion_tokens: 2, cached_tokens: 0 }]);
  } finally {
    await server.close();
  }
});

test("injected failures carry their status and Retry-After, then the server recovers", async () => {
  const server = await startOpenAITestServer({ behaviour: { failFirst: { count: 1, status: 429, retryAfter: 2 } } });
  try {
    const post = () =>
      fetch(`${server.url}/chat/completions`, {
        method: "POST",
        body: JSON.stringify({ messages: [{ role: "user", content: "x" }] }),
      });
    const first = await post();
    assert.equal(first.status, 429);
    assert.equal(first.headers.get("retry-after"), "2");
    assert.equal((await first.json()).error.type, "rate_limit_exceeded");
    assert.equal((await post()).status, 200);
    assert.equal((await fetch(`${server.url}/nothing`)).status, 404);
    assert.equal(server.requests.length, 3);
  } finally {
    await server.close();
  }
});
