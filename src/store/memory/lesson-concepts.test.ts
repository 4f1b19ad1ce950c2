import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { conceptTerms } from "./lesson-concepts.ts";
import { MemoryStore } from "./memory-store.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-lesson-concepts-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("the documented quick-start finds its lesson without an embedder, though they share no word", async () => {
  const store = MemoryStore.open({ path: join(dir, "quick-start.sqlite") });
  try {
    const units = await store.add({ text: "Convert every quantity to one unit before adding.", tags: ["units"] });
    await store.add({ text: "Count the days of the month carefully: April has 30 days.", tags: ["dates"] });
    await store.add({ text: "Read the question twice before answering.", tags: ["general"] });
    const hits = await store.search("How many grams are 2 kg and 300 g?", { k: 3 });
    assert.equal(hits[0]?.id, units.id);
    assert.equal(hits[0]!.ranker, "bm25");
    // Without its tag, the lesson's own general words ("convert", "unit") still meet the question.
    const untagged = await store.add({ text: "Convert each quantity into a single unit first." });
    const ids = (
      await store.search("A recipe needs 2 cups and 3 tablespoons of milk; how many tablespoons?", { k: 5 })
    ).map((h) => h.id);
    assert.ok(ids.includes(units.id) && ids.includes(untagged.id), `got ${ids}`);
  } finally {
    store.close();
  }
});

test("inflections meet by stem, and other concepts find their own lessons", async () => {
  const store = MemoryStore.open({ path: join(dir, "inflections.sqlite") });
  try {
    const adding = await store.add({ text: "When adding fractions, find a common denominator." });
    const money = await store.add({ text: "Keep track of the total cost item by item.", tags: ["money"] });
    const dates = await store.add({ text: "Count the days of the month carefully.", tags: ["dates"] });
    assert.equal((await store.search("She added two fractions", { k: 1 }))[0]?.id, adding.id);
    assert.equal((await store.search("Janet spends $3 on eggs and $4 on milk", { k: 1 }))[0]?.id, money.id);
    assert.equal((await store.search("What was yesterday, if tomorrow is Friday 05/07?", { k: 1 }))[0]?.id, dates.id);
    // A question no concept or word connects finds nothing rather than a random lesson.
    assert.deepEqual(await store.search("Who wrote Hamlet?", { k: 3 }), []);
  } finally {
    store.close();
  }
});

test("concept terms: units from measurement words (plural or not), none for unrelated text", () => {
  assert.ok(conceptTerms("How many grams are 2 kg and 300 g?").includes("units"));
  assert.ok(conceptTerms("3 miles").includes("units"));
  assert.ok(conceptTerms("It costs $5").includes("money"));
  assert.deepEqual(conceptTerms("Who wrote Hamlet?"), []);
  assert.deepEqual(conceptTerms(""), []);
});
