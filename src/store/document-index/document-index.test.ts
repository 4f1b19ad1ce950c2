import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { documentIndexContract } from "./document-index.contract.ts";
import { DocumentIndex } from "./document-index.ts";
import { generateCorpus } from "./testing/generate-corpus.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-document-index-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(path: string, text: string | Buffer): string {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
  return path;
}

function counts(path: string): { files: number; chunks: number; texts: number } {
  const db = new Database(path, { readonly: true });
  const count = (t: string) => db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number;
  const out = { files: count("files"), chunks: count("chunks"), texts: count("chunk_text") };
  db.close();
  return out;
}

test("add indexes new files, skips unchanged ones, replaces changed ones and drops deleted ones", async () => {
  const docs = join(dir, "sync");
  const a = write(
    join(docs, "a.md"),
    "# Billing\n\nInvoices are kept for seven years.\n\n## Refunds\n\nRefunds take five days.",
  );
  const b = write(join(docs, "sub", "b.txt"), "The cafeteria opens at nine.");
  write(join(docs, "node_modules", "pkg", "readme.md"), "Invoices in a dependency");
  write(join(docs, ".git", "HEAD"), "ref: invoices");
  write(join(docs, "logo.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  write(join(docs, "blob.txt"), Buffer.from([0x68, 0x69, 0x00, 0x00, 0x01]));
  write(join(docs, "huge.txt"), "x".repeat(3000));
  const path = join(docs, ".lmx", "index.sqlite");
  const index = DocumentIndex.open({ path, maxFileBytes: 2000 });

  const first = await index.add([docs]);
  assert.deepEqual(
    { ...first, skipped: first.skipped.map((s) => s.reason).sort() },
    {
      added: 2,
      updated: 0,
      unchanged: 0,
      removed: 0,
      chunks: 3,
      skipped: ["binary content", "binary file", "larger than 2000 bytes"],
    },
  );
  assert.deepEqual(counts(path), { files: 2, chunks: 3, texts: 3 });

  const second = await index.add([docs, a]);
  assert.deepEqual(
    [second.added, second.updated, second.unchanged, second.chunks],
    [0, 0, 2, 0],
    "nothing is indexed twice",
  );
  assert.deepEqual(counts(path), { files: 2, chunks: 3, texts: 3 });

  // Same content, new mtime: unchanged (hash equal), and the next run is skipped by mtime again.
  utimesSync(b, new Date(), new Date(Date.now() + 5000));
  assert.equal((await index.add([docs])).unchanged, 2);

  write(b, "The cafeteria opens at ten.\n\nIt closes at four.");
  const third = await index.add([docs]);
  assert.deepEqual([third.added, third.updated, third.unchanged], [0, 1, 1]);
  assert.deepEqual(counts(path), { files: 2, chunks: 3, texts: 3 });
  const hits = await index.search("when does the cafeteria open", { k: 5 });
  assert.equal(hits.length, 1);
  assert.match(hits[0]!.text, /opens at ten/);
  assert.equal((await index.search("nine")).length, 0, "the old version's chunks are gone");

  rmSync(b);
  const fourth = await index.add([docs]);
  assert.equal(fourth.removed, 1);
  assert.deepEqual(counts(path), { files: 1, chunks: 2, texts: 2 });
  index.close();
});

test("paths that cannot be read are skipped with a reason, not a crash that indexes nothing; a linked folder named on the command line is indexed", async () => {
  const docs = join(dir, "links");
  const ok = write(join(docs, "ok.txt"), "Invoices are kept for seven years.");
  write(join(docs, "real", "inside.txt"), "The linked folder holds the refund policy.");
  symlinkSync(join(docs, "gone.md"), join(docs, "broken.md"));
  symlinkSync(join(docs, "loop-b"), join(docs, "loop-a"));
  symlinkSync(join(docs, "loop-a"), join(docs, "loop-b"));
  symlinkSync(join(docs, "real"), join(docs, "linked"));
  const index = DocumentIndex.open({ path: join(dir, "links.sqlite") });
  try {
    const added = await index.add([
      ok,
      join(docs, "broken.md"),
      join(docs, "loop-a"),
      join(docs, "linked"),
      join(docs, "missing"),
    ]);
    assert.equal(added.added, 2);
    assert.deepEqual(
      added.skipped.map((s) => [s.path.slice(docs.length + 1), s.reason]),
      [
        ["broken.md", "broken link"],
        ["loop-a", "unreadable (ELOOP)"],
        ["missing", "not found"],
      ],
    );
    assert.deepEqual(
      (await index.search("refund policy")).map((h) => h.path),
      [join(docs, "linked", "inside.txt")],
    );

    // A folder that cannot be read (no permission; root reads everything, so only checked as another user)
    // is skipped, and what the index holds under it stays.
    if (process.getuid?.() !== 0) {
      chmodSync(join(docs, "real"), 0o000);
      try {
        const again = await index.add([join(docs, "linked")]);
        assert.deepEqual([again.removed, again.skipped.map((s) => s.reason)], [0, ["folder unreadable (EACCES)"]]);
        assert.equal(index.stats().files, 2);
      } finally {
        chmodSync(join(docs, "real"), 0o755);
      }
    }
  } finally {
    index.close();
  }
});

test("remove drops a file or a whole folder, and search reports paths and line ranges", async () => {
  const docs = join(dir, "remove");
  write(join(docs, "keep.md"), "# Keep\n\nalpha bravo");
  write(join(docs, "drop", "one.txt"), "first line\n\nalpha charlie");
  write(join(docs, "drop", "two.txt"), "alpha delta");
  write(join(docs, "dropped.txt"), "alpha echo");
  const index = DocumentIndex.open({ path: join(dir, "remove.sqlite") });
  await index.add([docs]);
  const hit = (await index.search("charlie"))[0]!;
  assert.deepEqual([hit.path, hit.startLine, hit.endLine, hit.ranker], [join(docs, "drop", "one.txt"), 1, 3, "bm25"]);
  assert.ok(hit.score > 0);
  assert.equal(index.remove(join(docs, "drop")), 2, "the folder, not dropped.txt beside it");
  assert.deepEqual((await index.search("alpha", { k: 10 })).map((h) => h.path).sort(), [
    join(docs, "dropped.txt"),
    join(docs, "keep.md"),
  ]);
  assert.equal(index.remove(join(docs, "keep.md")), 1);
  assert.equal(index.stats().files, 1);
  index.close();
  assert.throws(
    () => index.stats(),
    (e) => ConfigurationError.isInstance(e) && /after close/.test(e.message),
  );
});

test("retrieval finds the chunk holding a fact among 1,000 generated documents (BM25), and the index survives reopening", async () => {
  const docs = join(dir, "corpus");
  const facts = await generateCorpus({ dir: docs, documents: 1000 });
  const path = join(dir, "corpus.sqlite");
  const index = DocumentIndex.open({ path });
  const added = await index.add([docs]);
  assert.equal(added.added, 1000);
  assert.ok(added.chunks >= 1500, `${added.chunks} chunks`);
  index.close();

  const reopened = DocumentIndex.open({ path, mustExist: true });
  let top1 = 0;
  const sample = facts.filter((_, i) => i % 20 === 3);
  for (const fact of sample) {
    const hits = await reopened.search(fact.question, { k: 4 });
    assert.ok(
      hits.some((h) => h.path === fact.path && h.text.includes(fact.sentence)),
      `no hit for ${fact.question}`,
    );
    if (hits[0]!.path === fact.path) top1++;
  }
  assert.equal(top1, sample.length, "the fact's chunk ranks first");
  reopened.close();
});

test("FTS5 syntax in queries does not throw; bad k is an InvalidRequestError", async () => {
  const docs = join(dir, "syntax");
  write(join(docs, "a.txt"), "Invoices are kept for seven years (by law).");
  const index = DocumentIndex.open({ path: join(dir, "syntax.sqlite") });
  await index.add([docs]);
  for (const q of [
    '"invoices',
    "invoices -kept",
    "text:invoices",
    "invoice*",
    "(invoices AND",
    "NOT invoices",
    "NEAR(",
    "a:b:c",
    "***",
    "",
    "   ",
  ]) {
    const hits = await index.search(q);
    if (/invoice/.test(q)) assert.equal(hits.length, 1, q);
  }
  await assert.rejects(index.search("x", { k: 0 }), (e) => InvalidRequestError.isInstance(e));
  await assert.rejects(
    index.search("x", { mode: "hybrid" }),
    (e) => ConfigurationError.isInstance(e) && /needs an embedder/.test(e.message),
  );
  index.close();
});

test("a missing index, another program's database and a file that is not a database are clear errors", () => {
  const missing = join(dir, "nope", "index.sqlite");
  assert.throws(
    () => DocumentIndex.open({ path: missing, mustExist: true }),
    (e) => ConfigurationError.isInstance(e) && /does not exist.*lmx index add/.test(e.message),
  );
  const foreign = join(dir, "foreign.sqlite");
  const db = new Database(foreign);
  db.exec("CREATE TABLE customers (id INTEGER)");
  db.close();
  assert.throws(
    () => DocumentIndex.open({ path: foreign }),
    (e) => ConfigurationError.isInstance(e) && /not an lmx document index \(it has tables: customers\)/.test(e.message),
  );
  const text = write(join(dir, "notes.sqlite"), "just some notes\n".repeat(100));
  assert.throws(
    () => DocumentIndex.open({ path: text }),
    (e) => ConfigurationError.isInstance(e) && /not a readable SQLite database/.test(e.message),
  );
});

documentIndexContract("SQLite", async ({ name, ...options }) =>
  DocumentIndex.open({ path: join(dir, "contract", `${name}.sqlite`), ...options }),
);
