import assert from "node:assert/strict";
import { after, test } from "node:test";
import { createRunContext } from "../core/context.ts";
import { BudgetExceededError } from "../core/errors/budget-error.ts";
import { UpstreamError } from "../core/errors/upstream-error.ts";
import { AbortedError } from "../core/errors/aborted-error.ts";
import { hashedEmbedding } from "../testing/hashed-embedding.ts";
import { startOpenAITestServer } from "../testing/openai-test-server.ts";
import { openaiEmbedder } from "./openai-embedder.ts";

const server = await startOpenAITestServer({ embeddingDimensions: 32 });
after(() => server.close());
const embeddingCalls = () => server.requests.filter((r) => r.path === "/v1/embeddings");
/** failFirst counts every POST the server has seen, so faults are set relative to that. */
const posts = () => server.requests.filter((r) => r.method === "POST").length;

test("texts go in batches through the SDK; vectors come back in order, traced and charged", async () => {
  const embedder = openaiEmbedder({ model: "test-embedding", baseURL: server.url, batchSize: 4 });
  const texts = Array.from({ length: 10 }, (_, i) => `text number ${i} about topic ${i % 3}`);
  const ctx = createRunContext();
  const vectors = await embedder.embed(texts, ctx);
  assert.equal(embedder.id, "openai:test-embedding");
  assert.equal(vectors.length, 10);
  for (const [i, v] of vectors.entries()) {
    const expected = hashedEmbedding({ text: texts[i]!, dimensions: 32 });
    assert.ok(
      v.every((x, d) => Math.abs(x - expected[d]!) < 1e-6),
      `vector ${i} matches its text`,
    );
  }
  assert.deepEqual(
    embeddingCalls()
      .map((r) => r.body.input.length)
      .sort(),
    [2, 4, 4],
  );
  assert.equal(embeddingCalls()[0]!.body.model, "test-embedding");
  const spans = ctx.span.children;
  assert.equal(spans.length, 3);
  assert.ok(spans.every((s) => s.kind === "lm" && s.attributes.embedding === true && s.status === "ok"));
  assert.equal(ctx.span.total.calls, 3);
  assert.ok(ctx.span.total.prompt_tokens > 0);
  assert.equal(ctx.budget.used.calls, 3);
});

test("retryable failures are retried (span events); a 400 is an UpstreamError at once", async () => {
  const embedder = openaiEmbedder({ model: "m", baseURL: server.url, retry: { baseDelayMs: 1 } });
  server.behaviour.failFirst = { count: posts() + 2, status: 503 };
  const ctx = createRunContext();
  const [v] = await embedder.embed(["hello"], ctx);
  assert.equal(v!.length, 32);
  assert.equal(ctx.span.children[0]!.events.filter((e) => e.name === "retry").length, 2);

  server.behaviour.failFirst = { count: posts() + 99, status: 400, message: "input too long" };
  const before = posts();
  await assert.rejects(
    embedder.embed(["hello"]),
    (e) => UpstreamError.isInstance(e) && e.status === 400 && /input too long/.test(e.message),
  );
  assert.equal(posts() - before, 1, "no retry on 400");
  server.behaviour.failFirst = undefined;
});

test("budgets and aborts stop embedding calls before they are made", async () => {
  const embedder = openaiEmbedder({ model: "m", baseURL: server.url });
  const before = posts();
  await assert.rejects(embedder.embed(["a b c"], createRunContext({ budget: { calls: 0 } })), (e) =>
    BudgetExceededError.isInstance(e),
  );
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(embedder.embed(["a"], createRunContext({ signal: controller.signal })), (e) =>
    AbortedError.isInstance(e),
  );
  assert.equal(posts(), before);
});

test("a time budget running out mid-request is a BudgetExceededError, not a retried upstream timeout", async () => {
  const embedder = openaiEmbedder({ model: "m", baseURL: server.url, retry: { baseDelayMs: 1 } });
  const before = embeddingCalls().length;
  server.behaviour.delayMs = 2000;
  try {
    const ctx = createRunContext({ budget: { time_ms: 150 } });
    await assert.rejects(
      embedder.embed(["slow text"], ctx),
      (e) => BudgetExceededError.isInstance(e) && e.limit === "time_ms",
    );
    assert.equal(embeddingCalls().length - before, 1, "no retry after the budget ran out");
  } finally {
    server.behaviour.delayMs = 0;
  }
});

test("embedding calls sent and cut off (aborted, timed out) are charged their prompt estimate and one call each", async () => {
  const embedder = openaiEmbedder({ model: "m", baseURL: server.url, batchSize: 2, timeoutMs: 100 });
  const texts = ["one text", "another text", "a third text"];
  // The embedder's estimate: a token per four characters of each text.
  const estimate = (batch: string[]) => batch.reduce((sum, t) => sum + Math.ceil(t.length / 4), 0);
  server.behaviour.delayMs = 5_000;
  try {
    const before = embeddingCalls().length;
    const controller = new AbortController();
    const ctx = createRunContext({ signal: controller.signal });
    const done = embedder.embed(texts, ctx);
    while (embeddingCalls().length - before < 2) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await assert.rejects(done, (e) => AbortedError.isInstance(e));
    assert.equal(ctx.budget.used.calls, 2, "both batches sent");
    assert.equal(ctx.budget.used.tokens, estimate(texts));
    assert.ok(ctx.span.children.every((s) => s.attributes.usage_estimated === true && s.status === "error"));
    assert.equal(ctx.span.total.calls, 2);

    // A timeout, retried once (it might be billed), then again cut off.
    const timed = createRunContext();
    const retried = openaiEmbedder({
      model: "m",
      baseURL: server.url,
      timeoutMs: 100,
      retry: { retries: 1, baseDelayMs: 1 },
    });
    await assert.rejects(retried.embed(["slow"], timed), (e) => UpstreamError.isInstance(e) && e.failure === "timeout");
    assert.deepEqual([timed.budget.used.calls, timed.budget.used.tokens], [2, 2]);
    // Not when the budget has no room for the retry on top of the charged attempt.
    const tight = createRunContext({ budget: { calls: 1 } });
    const calls = embeddingCalls().length;
    await assert.rejects(retried.embed(["slow"], tight), (e) => UpstreamError.isInstance(e) && e.failure === "timeout");
    assert.equal(embeddingCalls().length - calls, 1);
    assert.equal(tight.budget.used.calls, 1);
  } finally {
    server.behaviour.delayMs = 0;
  }
  // An HTTP error answer is not billed.
  server.behaviour.failFirst = { count: posts() + 1, status: 500 };
  const failed = createRunContext();
  await assert.rejects(
    openaiEmbedder({ model: "m", baseURL: server.url, retry: { retries: 0 } }).embed(["x"], failed),
    (e) => UpstreamError.isInstance(e) && e.status === 500,
  );
  assert.deepEqual(failed.budget.used, { tokens: 0, calls: 0, cost_usd: 0 });
  server.behaviour.failFirst = undefined;
});
