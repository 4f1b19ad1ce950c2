import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { startOpenAITestServer } from "../../testing/openai-test-server.ts";
import { cleanEnv, runCli } from "../testing/run-cli.ts";
import { runMain } from "../testing/run-main.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-cli-index-"));
const server = await startOpenAITestServer({
  embeddingDimensions: 64,
  // The model cites passage [1] when it was given passages, as a RAG prompt asks.
  reply: (body) =>
    body.messages.some((m: { content: unknown }) => /Passages:\n\[1\] /.test(String(m.content)))
      ? "Seven years [1]."
      : "No idea.",
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
const docs = join(dir, "docs");
mkdirSync(docs);
writeFileSync(
  join(docs, "billing.md"),
  "# Billing\n\nInvoices are kept for seven years.\n\n## Refunds\n\nRefunds take five days.\n",
);
writeFileSync(join(docs, "office.txt"), "The cafeteria opens at nine.\n");

/** Runs `lmx …` in this process with captured output. */
const lmx = (...args: string[]) => runMain(args);

test("lmx index add reports counts; adding again skips unchanged files", async () => {
  const index = join(dir, "a.sqlite");
  const first = await lmx("index", "add", docs, "--index", index);
  assert.equal(first.code, 0, first.stderr);
  assert.match(
    first.stdout,
    /2 added, 0 updated, 0 unchanged, 0 removed \(3 chunks written; 2 files, 3 chunks in all\)/,
  );
  const again = await lmx("index", "add", docs, "--index", index, "--json");
  const counts = JSON.parse(again.stdout);
  assert.deepEqual([counts.added, counts.unchanged, counts.chunks, counts.index.chunks], [0, 2, 0, 3]);
  const stats = await lmx("index", "stats", "--index", index);
  assert.match(stats.stdout, /2 files, 3 chunks, BM25 only/);
});

test("lmx index search shows hits with scores (FTS syntax is fine); --json gives them whole", async () => {
  const index = join(dir, "b.sqlite");
  await lmx("index", "add", docs, "--index", index);
  const run = await lmx("index", "search", 'how long are "invoices -kept: (AND', "-k", "2", "--index", index);
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stdout,
    /^1\. .*billing\.md:1-3 {2}Billing {2}score \d\.\d+ bm25\n {3}# Billing\n {3}Invoices are kept for seven years\./,
  );
  const json = await lmx("index", "search", "cafeteria", "--json", "--index", index);
  const hits = JSON.parse(json.stdout);
  assert.deepEqual(
    hits.map((h: { startLine: number; ranker: string }) => [h.startLine, h.ranker]),
    [[1, "bm25"]],
  );
  assert.match(hits[0].text, /opens at nine/);
  const none = await lmx("index", "search", "zebra", "--index", index);
  assert.equal(none.stdout, "no passages found\n");
  const bad = await lmx("index", "search", "x", "--mode", "fuzzy", "--index", index);
  assert.equal(bad.code, 2);
  const missing = await lmx("index", "search", "x", "--index", join(dir, "none.sqlite"));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /does not exist.*lmx index add/);
});

test("lmx index remove drops files; an index built with an embedder searches hybrid with it", async () => {
  const index = join(dir, "c.sqlite");
  process.env.OPENAI_BASE_URL = server.url;
  try {
    const add = await lmx("index", "add", docs, "--index", index, "--embedder", "openai:test-embedding");
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /vectors by openai:test-embedding/);
    const search = await lmx("index", "search", "cafeteria nine", "--index", index);
    assert.match(search.stdout, /office\.txt:1 .*hybrid \(bm25 #1, vector #1\)/);
  } finally {
    delete process.env.OPENAI_BASE_URL;
  }
  const removed = await lmx("index", "remove", join(docs, "office.txt"), "--index", index);
  assert.match(removed.stdout, /removed 1 file/);
  assert.match(
    (await lmx("index", "stats", "--index", index)).stdout,
    /1 files, 2 chunks, vectors by openai:test-embedding \(64 dimensions\)/,
  );
});

test("end to end through the real binary: lmx index add, then lmx ask -t retrieve answers from the passages", async () => {
  const env = cleanEnv({ OPENAI_BASE_URL: server.url });
  const add = await runCli(["index", "add", "docs"], { cwd: dir, env });
  assert.equal(add.code, 0, add.stderr);
  const before = server.requests.length;
  const ask = await runCli(["ask", "-m", "openai:test-model", "-t", "retrieve(k=2)", "How long are invoices kept?"], {
    cwd: dir,
    env,
  });
  assert.equal(ask.code, 0, ask.stderr);
  assert.equal(ask.stdout.trim(), "Seven years [1].");
  const sent = server.requests.slice(before).find((r) => r.path === "/v1/chat/completions")!;
  assert.match(
    sent.body.messages.at(-1).content,
    /\[1\] docs\/billing\.md:1-3 \(Billing\)\n# Billing\n\nInvoices are kept for seven years\./,
  );
});
