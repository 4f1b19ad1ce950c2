import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import type { Embedder } from "../../embeddings/embedder.ts";
import { openaiEmbedder } from "../../embeddings/openai-embedder.ts";
import { startOpenAITestServer } from "../../testing/openai-test-server.ts";
import type { LessonStore } from "./lesson-store.ts";

/** Opens the memory store called `name` of one backend (the same name reaches the same lessons). */
export type OpenLessonStore = (options: { name: string; embedder?: Embedder }) => Promise<LessonStore>;

let stores = 0;
const fresh = () => `contract${stores++}`;

/** What every memory backend must do; each backend's test file runs it (memory-store.test.ts, pg-memory-store.test.ts). */
export function memoryStoreContract(backend: string, open: OpenLessonStore): void {
  test(`${backend} memory: lessons stored once, found by words and concepts, listed, counted when used, forgotten`, async () => {
    const name = fresh();
    const store = await open({ name });
    const units = await store.add({
      text: "Convert all quantities to the same unit before adding them.",
      question: "How many grams in 2 kg and 300 g?",
      tags: ["math", "units"],
      source: "feedback",
    });
    const dates = await store.add({
      text: "Count the days of the month carefully: April has 30 days.",
      tags: ["dates"],
    });
    const again = await store.add({ text: "  convert ALL quantities to the same unit   before adding them. " });
    assert.equal(again.id, units.id, "the same lesson is not stored twice");
    assert.equal(await store.count(), 2);
    assert.deepEqual(
      [units.tags, units.source, units.question],
      [["math", "units"], "feedback", "How many grams in 2 kg and 300 g?"],
    );
    const hits = await store.search("What is 3 km plus 200 m, in a single unit?", { k: 3 });
    assert.deepEqual(
      hits.map((h) => h.id),
      [units.id],
    );
    assert.equal(hits[0]!.ranker, "bm25");
    assert.ok(hits[0]!.score > 0, "a higher score is better");
    assert.equal((await store.search("how many days until April 31", { k: 3 }))[0]!.id, dates.id);
    assert.deepEqual(await store.search("-(*:"), [], "query syntax is plain text");
    assert.deepEqual(await store.search("' OR 1=1; DROP TABLE lessons; --"), []);
    assert.deepEqual(
      (await store.list()).map((l) => l.id),
      [dates.id, units.id],
    );
    assert.deepEqual(
      (await store.list({ tag: "dates" })).map((l) => l.id),
      [dates.id],
    );
    assert.deepEqual(
      (await store.list({ limit: 1 })).map((l) => l.id),
      [dates.id],
    );
    await store.markUsed([units.id, units.id]);
    assert.equal((await store.get(units.id))!.uses, 2);
    await assert.rejects(store.add({ text: "   " }), (e) => InvalidRequestError.isInstance(e));
    assert.equal(await store.forget(dates.id), true);
    assert.equal(await store.forget(dates.id), false);
    assert.deepEqual(await store.search("days of April"), []);
    await store.close();

    const reopened = await open({ name });
    assert.deepEqual(
      (await reopened.list()).map((l) => [l.id, l.uses]),
      [[units.id, 2]],
    );
    await reopened.close();
  });

  test(`${backend} memory: stores of different names are apart; concurrent adds of one lesson keep one`, async () => {
    const a = await open({ name: fresh() });
    const b = await open({ name: fresh() });
    const added = await Promise.all(Array.from({ length: 8 }, () => a.add({ text: "Check the units of the answer." })));
    assert.equal(new Set(added.map((l) => l.id)).size, 1);
    assert.equal(await a.count(), 1);
    assert.equal(await b.count(), 0);
    assert.deepEqual(await b.search("units answer"), []);
    await a.close();
    await b.close();
  });

  test(`${backend} memory: with an embedder, lessons are also ranked by vectors; another embedder is refused`, async () => {
    const server = await startOpenAITestServer({ embeddingDimensions: 128 });
    try {
      const name = fresh();
      const store = await open({ name, embedder: openaiEmbedder({ model: "emb", baseURL: server.url }) });
      const a = await store.add({ text: "Round money to cents only at the end of a calculation." });
      await store.add({ text: "Dates: check whether the year is a leap year." });
      const hits = await store.search("rounding money cents calculation", { k: 2 });
      assert.equal(hits[0]!.id, a.id);
      assert.equal(hits[0]!.ranker, "hybrid");
      const semantic = await store.search("rounding money cents calculation", { k: 1, mode: "vector" });
      assert.deepEqual([semantic[0]!.id, semantic[0]!.ranker], [a.id, "vector"]);
      assert.equal((await store.stats()).embedder, "openai:emb");
      await store.close();
      await assert.rejects(
        async () => {
          const other = await open({ name, embedder: openaiEmbedder({ model: "other", baseURL: server.url }) });
          await other.search("money");
        },
        (e) => ConfigurationError.isInstance(e) && /built with embedder "openai:emb"/.test(e.message),
      );
      const plain = await open({ name });
      await assert.rejects(
        plain.add({ text: "new lesson" }),
        (e) => ConfigurationError.isInstance(e) && /pass the same embedder/.test(e.message),
      );
      assert.equal((await plain.search("money cents"))[0]!.ranker, "bm25");
      await plain.close();
    } finally {
      await server.close();
    }
  });
}
