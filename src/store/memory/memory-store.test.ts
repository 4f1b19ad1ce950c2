import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { openaiEmbedder } from "../../embeddings/openai-embedder.ts";
import { startOpenAITestServer } from "../../testing/openai-test-server.ts";
import { memoryStoreContract } from "./memory-store.contract.ts";
import { MemoryStore } from "./memory-store.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-memory-store-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

test("lessons are stored once, found by relevance, listed newest first, counted when used, and forgotten", async () => {
  const path = join(dir, "basic.sqlite");
  const store = MemoryStore.open({ path });
  const units = await store.add({
    text: "Convert all quantities to the same unit before adding them.",
    question: "How many grams in 2 kg and 300 g?",
    tags: ["math", "units"],
    source: "feedback",
  });
  const dates = await store.add({ text: "Count the days of the month carefully: April has 30 days.", tags: ["dates"] });
  const again = await store.add({ text: "  convert ALL quantities to the same unit   before adding them. " });
  assert.equal(again.id, units.id, "the same lesson is not stored twice");
  assert.equal(store.count(), 2);
  assert.deepEqual(
    [units.tags, units.source, units.question],
    [["math", "units"], "feedback", "How many grams in 2 kg and 300 g?"],
  );
  assert.ok(!Number.isNaN(Date.parse(units.createdAt)));

  const hits = await store.search("What is 3 km plus 200 m, in a single unit?", { k: 3 });
  assert.deepEqual(
    hits.map((h) => h.id),
    [units.id],
  );
  assert.equal(hits[0]!.ranker, "bm25");
  assert.deepEqual((await store.search("how many days until April 31", { k: 3 }))[0]!.id, dates.id);
  assert.deepEqual(await store.search("-(*:"), []);

  assert.deepEqual(
    store.list().map((l) => l.id),
    [dates.id, units.id],
  );
  assert.deepEqual(
    store.list({ tag: "dates" }).map((l) => l.id),
    [dates.id],
  );
  store.markUsed([units.id, units.id]);
  assert.equal(store.get(units.id)!.uses, 2);
  await assert.rejects(store.add({ text: "   " }), (e) => InvalidRequestError.isInstance(e));

  assert.equal(store.forget(dates.id), true);
  assert.equal(store.forget(dates.id), false);
  assert.deepEqual(await store.search("days of April"), []);
  store.close();

  const reopened = MemoryStore.open({ path, mustExist: true });
  assert.deepEqual(
    reopened.list().map((l) => [l.id, l.uses]),
    [[units.id, 2]],
  );
  reopened.close();
  assert.throws(
    () => MemoryStore.open({ path: join(dir, "none.sqlite"), mustExist: true }),
    (e) => ConfigurationError.isInstance(e) && /lmx memory add/.test(e.message),
  );
});

test("with an embedder, lessons are also ranked by vectors, and a different embedder is refused", async () => {
  const server = await startOpenAITestServer({ embeddingDimensions: 128 });
  try {
    const path = join(dir, "vectors.sqlite");
    const store = MemoryStore.open({ path, embedder: openaiEmbedder({ model: "emb", baseURL: server.url }) });
    const a = await store.add({ text: "Round money to cents only at the end of a calculation." });
    await store.add({ text: "Dates: check whether the year is a leap year." });
    const hits = await store.search("rounding money cents calculation", { k: 2 });
    assert.equal(hits[0]!.id, a.id);
    assert.equal(hits[0]!.ranker, "hybrid");
    store.close();
    assert.throws(
      () => MemoryStore.open({ path, embedder: openaiEmbedder({ model: "other", baseURL: server.url }) }),
      (e) => ConfigurationError.isInstance(e) && /built with embedder "openai:emb"/.test(e.message),
    );
    const plain = MemoryStore.open({ path });
    await assert.rejects(
      plain.add({ text: "new lesson" }),
      (e) => ConfigurationError.isInstance(e) && /pass the same embedder/.test(e.message),
    );
    assert.equal((await plain.search("money cents"))[0]!.ranker, "bm25");
    plain.close();
  } finally {
    await server.close();
  }
});

test("the store survives a writer killed with SIGKILL mid-write: intact file, every committed lesson there", async () => {
  const path = join(dir, "crash.sqlite");
  MemoryStore.open({ path }).close();
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(repoRoot, "src/store/memory/testing/write-lessons-forever.ts"), path],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
  );
  const committed: { id: number; n: number }[] = [];
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
  let buffer = "";
  child.stdout.on("data", (data: Buffer) => {
    buffer += data.toString();
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    for (const line of lines) {
      const [, id, n] = line.split(" ");
      committed.push({ id: Number(id), n: Number(n) });
    }
    if (committed.length >= 150 && !child.killed) child.kill("SIGKILL");
  });
  const signal = await exited;
  assert.equal(signal, "SIGKILL", `the writer should have been killed, not exited (stderr: ${stderr})`);
  assert.ok(committed.length >= 150);

  const db = new Database(path);
  assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
  const count = (sql: string) => db.prepare(sql).pluck().get() as number;
  assert.equal(
    count("SELECT count(*) FROM lessons"),
    count("SELECT count(*) FROM lesson_text"),
    "no lesson without its full-text row",
  );
  db.close();

  const store = MemoryStore.open({ path });
  for (const { id, n } of committed)
    assert.ok(store.get(id)?.text.startsWith(`Lesson ${n}:`), `lesson ${n} (id ${id}) survived`);
  // Lessons committed after the last line we read (before the kill landed) are there too, whole.
  assert.ok(store.count() >= committed.length);
  assert.ok(
    store.list().every((l) => /^Lesson \d+:/.test(l.text) && l.text.length > 1000 && l.tags.includes("crash-test")),
  );
  const more = await store.add({ text: "Still writable after the crash." });
  assert.ok(more.id > committed.at(-1)!.id);
  store.close();
});

memoryStoreContract("SQLite", async ({ name, embedder }) =>
  MemoryStore.open({ path: join(dir, `${name}.memory.sqlite`), embedder }),
);
