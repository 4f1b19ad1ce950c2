/**
 * Retrieval benchmark: builds a document index of ~10,000 chunks from generated documents and
 * measures indexing throughput (chunks/s) and query latency (p50/p99) for BM25 and for hybrid
 * BM25 + vectors (with an in-process hashed bag-of-words embedder, so embedding costs ~nothing and
 * the figures are lmx's own), against a bare `SELECT rowid FROM chunk_text WHERE chunk_text MATCH ?
 * ORDER BY bm25(…) LIMIT k` (lmx's own ranking, nothing else) on the same file, in the same run.
 * Recall@k checks the index finds the chunk holding each queried fact (the hashed embedder is a
 * weak ranker on ~1,000-character chunks, so hybrid recall here measures that embedder, not what
 * a real one gives). Goal: BM25 p99 under 20 ms at 10,000 chunks.
 *
 *   node --import tsx bench/retrieval.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import type { Embedder } from "../src/embeddings/embedder.ts";
import { DocumentIndex } from "../src/store/document-index/document-index.ts";
import type { SearchMode } from "../src/store/document-index/index-search.ts";
import { generateCorpus, type CorpusFact } from "../src/store/document-index/testing/generate-corpus.ts";
import { ftsQuery } from "../src/store/ranking/fts-query.ts";
import { hashedEmbedding } from "../src/testing/hashed-embedding.ts";

export interface QueryFigures {
  p50_ms: number;
  p99_ms: number;
  /** Share of queries whose fact chunk is among the k hits. */
  recall_at_k?: number;
}

export interface RetrievalResult {
  name: "retrieval";
  documents: number;
  chunks: number;
  k: number;
  queries: number;
  index_bm25: { seconds: number; chunks_per_s: number };
  index_hybrid: { seconds: number; chunks_per_s: number };
  bare_match: QueryFigures;
  bm25: QueryFigures & { ratio_p50: number };
  hybrid: QueryFigures & { ratio_p50: number };
  goal: { bm25_p99_ms: number };
  met: boolean;
}

/** A local embedder: hashed bags of words, computed in process. */
const hashed: Embedder = {
  id: "hashed:256",
  dimensions: 256,
  embed: async (texts) => texts.map((text) => hashedEmbedding({ text, dimensions: 256 })),
};

export async function run(
  options: { documents?: number; queries?: number; k?: number; log?: (line: string) => void } = {},
): Promise<RetrievalResult> {
  const { documents = 2600, queries = 400, k = 4, log = console.log } = options;
  const dir = mkdtempSync(join(tmpdir(), "lmx-bench-retrieval-"));
  try {
    const docs = join(dir, "docs");
    const facts = await generateCorpus({ dir: docs, documents, paragraphs: 6, seed: 3 });
    const asked = facts.filter((_, i) => i % Math.max(1, Math.floor(facts.length / queries)) === 0).slice(0, queries);

    const bm25Path = join(dir, "bm25.sqlite");
    const bm25Build = await build(bm25Path, docs);
    const hybridPath = join(dir, "hybrid.sqlite");
    const hybridBuild = await build(hybridPath, docs, hashed);

    const { bare, bm25 } = await bm25AgainstBare(bm25Path, asked, k);
    const hybrid = await timedSearch(hybridPath, asked, k, "hybrid", hashed);
    const goal = { bm25_p99_ms: 20 };
    const result: RetrievalResult = {
      name: "retrieval",
      documents,
      chunks: bm25Build.chunks,
      k,
      queries: asked.length,
      index_bm25: { seconds: bm25Build.seconds, chunks_per_s: Math.round(bm25Build.chunks / bm25Build.seconds) },
      index_hybrid: {
        seconds: hybridBuild.seconds,
        chunks_per_s: Math.round(hybridBuild.chunks / hybridBuild.seconds),
      },
      bare_match: bare,
      bm25: { ...bm25, ratio_p50: round(bm25.p50_ms / bare.p50_ms) },
      hybrid: { ...hybrid, ratio_p50: round(hybrid.p50_ms / bare.p50_ms) },
      goal,
      met: bm25.p99_ms < goal.bm25_p99_ms,
    };
    log(table(result));
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function build(path: string, docs: string, embedder?: Embedder): Promise<{ seconds: number; chunks: number }> {
  const index = DocumentIndex.open({ path, embedder });
  const started = performance.now();
  const result = await index.add([docs]);
  const seconds = (performance.now() - started) / 1000;
  index.close();
  return { seconds: round(seconds), chunks: result.chunks };
}

async function timedSearch(
  path: string,
  facts: CorpusFact[],
  k: number,
  mode: SearchMode,
  embedder?: Embedder,
): Promise<QueryFigures> {
  const index = DocumentIndex.open({ path, embedder });
  try {
    for (const fact of facts.slice(0, 20)) await index.search(fact.question, { k, mode });
    const times: number[] = [];
    let found = 0;
    for (const fact of facts) {
      const started = performance.now();
      const hits = await index.search(fact.question, { k, mode });
      times.push(performance.now() - started);
      if (hits.some((h) => h.path === fact.path && h.text.includes(fact.sentence))) found++;
    }
    return { ...percentiles(times), recall_at_k: round(found / facts.length) };
  } finally {
    index.close();
  }
}

/**
 * lmx's BM25 search against the floor, interleaved query by query on the same file so that both
 * see the same cache: the floor is one prepared FTS5 query in BM25 order with its MATCH text built
 * beforehand; lmx also sanitises the text, weighs columns and loads each hit's path, lines and text.
 */
async function bm25AgainstBare(
  path: string,
  facts: CorpusFact[],
  k: number,
): Promise<{ bare: QueryFigures; bm25: QueryFigures }> {
  const db = new Database(path, { readonly: true });
  const index = DocumentIndex.open({ path });
  try {
    const statement = db
      .prepare<[string, number], number>(
        "SELECT rowid FROM chunk_text WHERE chunk_text MATCH ? ORDER BY bm25(chunk_text, 1.0, 0.5, 0.2) LIMIT ?",
      )
      .pluck();
    const matches = facts.map((f) => ftsQuery(f.question)!);
    for (const [i, m] of matches.slice(0, 20).entries()) {
      statement.all(m, k);
      await index.search(facts[i]!.question, { k, mode: "bm25" });
    }
    const bareTimes: number[] = [];
    const lmxTimes: number[] = [];
    let found = 0;
    for (const [i, fact] of facts.entries()) {
      let started = performance.now();
      statement.all(matches[i]!, k);
      bareTimes.push(performance.now() - started);
      started = performance.now();
      const hits = await index.search(fact.question, { k, mode: "bm25" });
      lmxTimes.push(performance.now() - started);
      if (hits.some((h) => h.path === fact.path && h.text.includes(fact.sentence))) found++;
    }
    return {
      bare: percentiles(bareTimes),
      bm25: { ...percentiles(lmxTimes), recall_at_k: round(found / facts.length) },
    };
  } finally {
    index.close();
    db.close();
  }
}

function percentiles(times: number[]): { p50_ms: number; p99_ms: number } {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50_ms: round(at(0.5)), p99_ms: round(at(0.99)) };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function table(r: RetrievalResult): string {
  const row = (name: string, f: QueryFigures & { ratio_p50?: number }) =>
    `| ${name.padEnd(22)} | ${f.p50_ms.toFixed(3).padStart(8)} | ${f.p99_ms.toFixed(3).padStart(8)} | ${(f.ratio_p50 === undefined ? "1.00" : f.ratio_p50.toFixed(2)).padStart(9)} | ${(f.recall_at_k === undefined ? "-" : f.recall_at_k.toFixed(3)).padStart(9)} |`;
  return [
    `retrieval: ${r.documents} generated documents, ${r.chunks} chunks, ${r.queries} queries, k=${r.k}`,
    `indexing: BM25 ${r.index_bm25.chunks_per_s} chunks/s (${r.index_bm25.seconds} s); hybrid with a local embedder ${r.index_hybrid.chunks_per_s} chunks/s (${r.index_hybrid.seconds} s)`,
    `| ${"query".padEnd(22)} | ${"p50 ms".padStart(8)} | ${"p99 ms".padStart(8)} | ${"p50/bare".padStart(9)} | ${"recall@k".padStart(9)} |`,
    `|${"-".repeat(24)}|${"-".repeat(10)}|${"-".repeat(10)}|${"-".repeat(11)}|${"-".repeat(11)}|`,
    row("bare SELECT … MATCH", r.bare_match),
    row("lmx BM25", r.bm25),
    row("lmx hybrid (RRF)", r.hybrid),
    `goal: BM25 p99 under ${r.goal.bm25_p99_ms} ms at ${r.chunks} chunks (${r.bm25.p99_ms.toFixed(2)} ms) — ${r.met ? "PASS" : "MISS"}`,
  ].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
