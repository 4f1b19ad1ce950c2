import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import type { Embedder } from "../../embeddings/embedder.ts";
import { openaiEmbedder } from "../../embeddings/openai-embedder.ts";
import { startOpenAITestServer } from "../../testing/openai-test-server.ts";
import type { DocumentStore } from "./document-store.ts";

/** Opens the index called `name` of one backend (the same name reaches the same index). */
export type OpenDocumentStore = (options: {
  name: string;
  embedder?: Embedder;
  maxFileBytes?: number;
}) => Promise<DocumentStore>;

let made = 0;

function write(path: string, text: string | Buffer): string {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** What every document index backend must do; each backend's test file runs it (document-index.test.ts, pg-document-index.test.ts). */
export function documentIndexContract(backend: string, open: OpenDocumentStore): void {
  const dir = mkdtempSync(join(tmpdir(), "lmx-index-contract-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test(`${backend} index: adds new files, skips unchanged ones, replaces changed ones, drops deleted ones`, async () => {
    const name = `contract${made++}`;
    const docs = join(dir, name);
    const a = write(
      join(docs, "a.md"),
      "# Billing\n\nInvoices are kept for seven years.\n\n## Refunds\n\nRefunds take five days.",
    );
    const b = write(join(docs, "sub", "b.txt"), "The cafeteria opens at nine.");
    write(join(docs, "node_modules", "pkg", "readme.md"), "Invoices in a dependency");
    write(join(docs, "blob.txt"), Buffer.from([0x68, 0x69, 0x00, 0x00, 0x01]));
    write(join(docs, "huge.txt"), "x".repeat(3000));
    const index = await open({ name, maxFileBytes: 2000 });
    const first = await index.add([docs]);
    assert.deepEqual(
      { ...first, skipped: first.skipped.map((s) => s.reason).sort() },
      {
        added: 2,
        updated: 0,
        unchanged: 0,
        removed: 0,
        chunks: 3,
        skipped: ["binary content", "larger than 2000 bytes"],
      },
    );
    assert.deepEqual([(await index.stats()).files, (await index.stats()).chunks], [2, 3]);
    const second = await index.add([docs, a]);
    assert.deepEqual([second.added, second.updated, second.unchanged, second.chunks], [0, 0, 2, 0]);

    const hits = await index.search("how long are invoices kept?", { k: 2 });
    assert.equal(hits[0]!.path, a);
    assert.match(hits[0]!.text, /Invoices are kept for seven years/);
    assert.equal(hits[0]!.ranker, "bm25");
    assert.ok(hits[0]!.startLine >= 1 && hits[0]!.endLine >= hits[0]!.startLine);
    assert.deepEqual(await index.search("-(*:"), [], "query syntax is plain text");
    assert.deepEqual(await index.search("' OR 1=1; --"), []);

    write(a, "# Billing\n\nInvoices are archived after ten years.");
    utimesSync(a, new Date(), new Date(Date.now() + 5000));
    rmSync(b);
    const third = await index.add([docs]);
    assert.deepEqual([third.updated, third.removed, third.unchanged], [1, 1, 0]);
    assert.match((await index.search("invoices archived"))[0]!.text, /archived after ten years/);
    assert.deepEqual(await index.search("cafeteria"), [], "a deleted file's chunks are gone");
    assert.equal(await index.remove(docs), 1);
    assert.deepEqual([(await index.stats()).files, (await index.stats()).chunks], [0, 0]);
    await index.close();
  });

  test(`${backend} index: indexes of different names are apart; reopening finds what was added`, async () => {
    const docs = join(dir, `apart${made}`);
    write(join(docs, "notes.txt"), "Deployments happen on Tuesdays.");
    const one = await open({ name: `contract${made++}` });
    const other = await open({ name: `contract${made++}` });
    await one.add([docs]);
    assert.equal((await other.search("deployments tuesdays")).length, 0);
    await other.close();
    await one.close();
  });

  test(`${backend} index: with an embedder, chunks are ranked by vectors too; another embedder is refused`, async () => {
    const server = await startOpenAITestServer({ embeddingDimensions: 64 });
    try {
      const name = `contract${made++}`;
      const docs = join(dir, name);
      const money = write(join(docs, "money.md"), "Round money to cents only at the end of a calculation.");
      write(join(docs, "dates.md"), "Check whether the year is a leap year.");
      const index = await open({ name, embedder: openaiEmbedder({ model: "emb", baseURL: server.url }) });
      await index.add([docs]);
      const hits = await index.search("rounding money cents calculation", { k: 2 });
      assert.deepEqual([hits[0]!.path, hits[0]!.ranker], [money, "hybrid"]);
      assert.equal((await index.stats()).embedder, "openai:emb");
      await index.close();
      await assert.rejects(
        async () => {
          const other = await open({ name, embedder: openaiEmbedder({ model: "other", baseURL: server.url }) });
          await other.search("money");
        },
        (e) => ConfigurationError.isInstance(e) && /built with embedder "openai:emb"/.test(e.message),
      );
      const plain = await open({ name });
      write(join(docs, "new.md"), "A new file.");
      await assert.rejects(
        plain.add([docs]),
        (e) => ConfigurationError.isInstance(e) && /pass the same embedder/.test(e.message),
      );
      assert.equal((await plain.search("money cents"))[0]!.ranker, "bm25");
      await plain.close();
    } finally {
      await server.close();
    }
  });
}
