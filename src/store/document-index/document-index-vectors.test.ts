import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import * as sqliteVec from "sqlite-vec";
import { createRunContext } from "../../core/context.ts";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { llamaEmbedder } from "../../embeddings/llama-embedder.ts";
import { openaiEmbedder } from "../../embeddings/openai-embedder.ts";
import { writeTinyGguf } from "../../providers/llama/testing/write-tiny-gguf.ts";
import { startOpenAITestServer } from "../../testing/openai-test-server.ts";
import { DocumentIndex } from "./document-index.ts";
import { generateCorpus } from "./testing/generate-corpus.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-index-vectors-"));
const server = await startOpenAITestServer({ embeddingDimensions: 256 });
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
const embedder = () => openaiEmbedder({ model: "test-embedding", baseURL: server.url });

function vectorCount(path: string): { chunks: number; vectors: number } {
  const db = new Database(path, { readonly: true });
  sqliteVec.load(db);
  const out = {
    chunks: db.prepare("SELECT count(*) FROM chunks").pluck().get() as number,
    vectors: db.prepare("SELECT count(*) FROM chunk_vec").pluck().get() as number,
  };
  db.close();
  return out;
}

// The test server's embeddings are hashed bags of words: informative only for short passages and
// queries made of distinctive words, so the corpus here has one short passage per document.
test("hybrid retrieval (BM25 + embeddings from a real OpenAI-compatible server, fused by rank) finds passages among 1,000 documents", async () => {
  const docs = join(dir, "corpus");
  const facts = await generateCorpus({ dir: docs, documents: 1000, seed: 11, paragraphs: 0 });
  const path = join(dir, "hybrid.sqlite");
  const index = DocumentIndex.open({ path, embedder: embedder() });
  const ctx = createRunContext();
  const before = server.requests.length;
  await index.add([docs], { ctx });
  const calls = server.requests.slice(before).filter((r) => r.path === "/v1/embeddings").length;
  assert.ok(calls >= 4);
  assert.equal(ctx.span.total.calls, calls, "every embedding call is traced");
  const stats = index.stats();
  assert.deepEqual([stats.embedder, stats.dimensions, stats.files], ["openai:test-embedding", 256, 1000]);
  assert.deepEqual(vectorCount(path), { chunks: stats.chunks, vectors: stats.chunks });

  for (const fact of facts.filter((_, i) => i % 40 === 7)) {
    const question = `Which unit is described as ${fact.topic.slice(0, 5).join(" ")}?`;
    const hits = await index.search(question, { k: 4 });
    assert.equal(hits[0]!.ranker, "hybrid");
    assert.equal(hits[0]!.path, fact.path, question);
    assert.ok(hits[0]!.text.includes(fact.sentence));
    assert.deepEqual(hits[0]!.ranks, { bm25: 1, vector: 1 }, "both rankers put it first");
    const semantic = await index.search(question, { k: 4, mode: "vector" });
    assert.equal(semantic[0]!.ranker, "vector");
    assert.equal(semantic[0]!.path, fact.path, `vector search alone finds ${question}`);
    assert.ok(semantic[0]!.score > semantic[1]!.score);
    assert.equal((await index.search(question, { k: 1, mode: "bm25" }))[0]!.ranker, "bm25");
  }
  index.close();

  // Without an embedder the index still answers, by BM25; it refuses to add chunks without vectors.
  const plain = DocumentIndex.open({ path });
  assert.equal((await plain.search(facts[3]!.question))[0]!.ranker, "bm25");
  await assert.rejects(
    plain.add([docs]),
    (e) => ConfigurationError.isInstance(e) && /built with embedder "openai:test-embedding"/.test(e.message),
  );
  plain.close();
});

test("an index refuses an embedder other than the one it was built with", async () => {
  const docs = join(dir, "small");
  mkdirSync(docs, { recursive: true });
  writeFileSync(join(docs, "a.txt"), "alpha bravo charlie");
  const path = join(dir, "mismatch.sqlite");
  const index = DocumentIndex.open({ path, embedder: embedder() });
  await index.add([docs]);
  index.close();
  const other = openaiEmbedder({ model: "other-embedding", baseURL: server.url });
  assert.throws(
    () => DocumentIndex.open({ path, embedder: other }),
    (e) =>
      ConfigurationError.isInstance(e) &&
      /built with embedder "openai:test-embedding" \(256 dimensions\).*"openai:other-embedding"/.test(e.message),
  );
  const shorter = openaiEmbedder({ model: "test-embedding", baseURL: server.url, dimensions: 32 });
  assert.throws(
    () => DocumentIndex.open({ path, embedder: shorter }),
    (e) => ConfigurationError.isInstance(e) && /32 dimensions/.test(e.message),
  );
});

test("adding with an embedder gives vectors to chunks indexed without one; a changed file's old vectors go", async () => {
  const docs = join(dir, "backfill");
  mkdirSync(docs, { recursive: true });
  writeFileSync(join(docs, "a.md"), "# A\n\nalpha bravo\n\n# B\n\ncharlie delta");
  writeFileSync(join(docs, "b.txt"), "echo foxtrot");
  const path = join(dir, "backfill.sqlite");
  const bm25 = DocumentIndex.open({ path });
  await bm25.add([docs]);
  bm25.close();
  const hybrid = DocumentIndex.open({ path, embedder: embedder() });
  const result = await hybrid.add([docs]);
  assert.equal(result.unchanged, 2);
  assert.deepEqual(vectorCount(path), { chunks: 3, vectors: 3 });
  writeFileSync(join(docs, "a.md"), "# A only\n\nalpha bravo golf");
  await hybrid.add([docs]);
  assert.deepEqual(vectorCount(path), { chunks: 2, vectors: 2 });
  assert.equal((await hybrid.search("golf", { k: 1 }))[0]!.ranker, "hybrid");
  hybrid.close();
});

test("llama.cpp embeddings (tiny random-weights GGUF) are stored with their dimension and searchable", async () => {
  const modelPath = await writeTinyGguf({ path: join(dir, "tiny.gguf"), seed: 2 });
  const llama = llamaEmbedder({ modelPath, threads: 1 });
  const docs = join(dir, "llama");
  mkdirSync(docs, { recursive: true });
  for (let i = 0; i < 5; i++) writeFileSync(join(docs, `d${i}.txt`), `document ${i} about topic ${i}`);
  const path = join(dir, "llama.sqlite");
  const index = DocumentIndex.open({ path, embedder: llama });
  try {
    await index.add([docs]);
    assert.deepEqual([index.stats().embedder, index.stats().dimensions], [`llama:${modelPath}`, 64]);
    assert.deepEqual(vectorCount(path), { chunks: 5, vectors: 5 });
    const hits = await index.search("document about topic", { k: 3, mode: "vector" });
    assert.equal(hits.length, 3);
    assert.ok(hits.every((h) => h.ranker === "vector" && h.score <= 1 && h.score >= -1));
  } finally {
    index.close();
    await llama.close?.();
  }
});
