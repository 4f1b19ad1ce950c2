import { createRunHost } from "../../runtime/create-run-host.ts";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { contentText, resultText } from "../../core/messages.ts";
import type { ChatRequest, StreamEvent } from "../../core/types.ts";
import { openaiEmbedder } from "../../embeddings/openai-embedder.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import { DocumentIndex } from "../../store/document-index/document-index.ts";
import { startOpenAITestServer } from "../../testing/openai-test-server.ts";
import type { Span } from "../../trace/span.ts";
import { retrieve } from "./retrieve.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-retrieve-"));
// Paths in prompts are shown relative to the working folder; an empty one has no default index.
process.chdir(dir);
const server = await startOpenAITestServer({ embeddingDimensions: 128 });
after(async () => {
  await server.close();
  process.chdir(tmpdir());
  rmSync(dir, { recursive: true, force: true });
});

mkdirSync(join(dir, "docs"), { recursive: true });
writeFileSync(
  join(dir, "docs", "billing.md"),
  "# Billing\n\nInvoices are kept for seven years, then shredded.\n\n## Refunds\n\nRefunds take five working days.",
);
writeFileSync(join(dir, "docs", "office.txt"), "The cafeteria opens at nine and closes at four.");
writeFileSync(join(dir, "docs", "faq.jsonl"), '{"title": "parking", "text": "Visitors park in lot C."}\n');
const plainPath = join(dir, "plain.sqlite");
const plain = DocumentIndex.open({ path: plainPath });
await plain.add([join(dir, "docs")]);
plain.close();

const question = "How long are invoices kept, and how long do refunds take?";
const request: ChatRequest = {
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Hi, I have questions about the company." },
    { role: "assistant", content: "Sure, ask away." },
    { role: "user", content: question },
  ],
  temperature: 0.3,
};

const ANSWER = "Refunds take five working days [1]; invoices are kept for seven years [2] [9].";

/** Answers from the passages when passages are given, else admits it does not know. */
const reader = (r: ChatRequest) => {
  const prompt = contentText(r.messages.at(-1)!.content);
  return /\[1\] docs\/billing\.md:5-7/.test(prompt) ? ANSWER : "I do not know.";
};

function spansNamed(span: Span, name: string): Span[] {
  return [...(span.name === name ? [span] : []), ...span.children.flatMap((c) => spansNamed(c, name))];
}

test("the top passages go into the last user message, numbered with source and lines; the answer cites them", async () => {
  const lm = scriptedLM(reader);
  const ctx = createRunContext();
  const result = await retrieve(lm, { index: plainPath, k: 2 }).complete(request, ctx);
  assert.equal(resultText(result), ANSWER);
  assert.equal(lm.calls.length, 1);
  const sent = lm.calls[0]!;
  assert.deepEqual(sent.messages.slice(0, 3), request.messages.slice(0, 3), "system prompt and earlier turns are kept");
  assert.equal(sent.temperature, 0.3);
  const prompt = contentText(sent.messages[3]!.content);
  // The shorter refunds section ranks first under BM25's length normalisation.
  assert.match(
    prompt,
    /\[1\] docs\/billing\.md:5-7 \(Billing > Refunds\)\n## Refunds\n\nRefunds take five working days\./,
  );
  assert.match(
    prompt,
    /\[2\] docs\/billing\.md:1-3 \(Billing\)\n# Billing\n\nInvoices are kept for seven years, then shredded\./,
  );
  assert.doesNotMatch(prompt, /^\[3\] /m, "k=2 passages");
  assert.match(prompt, /Question: How long are invoices kept, and how long do refunds take\?$/);
  assert.match(prompt, /Cite the passages/);

  const technique = ctx.span.children[0]!;
  const search = spansNamed(technique, "search")[0]!;
  assert.equal(search.kind, "tool");
  assert.deepEqual(
    (search.attributes.hits as { source: string }[]).map((h) => h.source),
    ["docs/billing.md:5-7", "docs/billing.md:1-3"],
  );
  const citations = technique.events.find((e) => e.name === "citations")!.data;
  assert.deepEqual(citations, {
    cited: [
      { n: 1, source: "docs/billing.md:5-7" },
      { n: 2, source: "docs/billing.md:1-3" },
    ],
    unknown: [9],
  });
  assert.equal(result.usage.calls, 1);
  assert.deepEqual(result.usage, technique.total);
});

test("the final call streams through, ending with the same result", async () => {
  const lm = scriptedLM(reader);
  const events: StreamEvent[] = [];
  for await (const e of retrieve(lm, { index: plainPath }).stream(request)) events.push(e);
  const deltas = events.filter((e) => e.type === "delta");
  assert.ok(deltas.length > 3, "word by word, not one block");
  assert.equal(deltas.map((d) => d.content).join(""), ANSWER);
  const last = events.at(-1)!;
  assert.ok(last.type === "result" && resultText(last.result) === deltas.map((d) => d.content).join(""));
});

test("a custom prompt is used; one without {passages} is refused when the technique is made", async () => {
  const lm = scriptedLM(() => "ok");
  await retrieve(lm, { index: plainPath, k: 1, prompt: "Q: {question}\nSources:\n{passages}" }).complete(request);
  assert.match(
    contentText(lm.calls[0]!.messages.at(-1)!.content),
    /^Q: How long are invoices kept, and how long do refunds take\?\nSources:\n\[1\] docs\/billing\.md:5-7 \(Billing > Refunds\)\n## Refunds\n\nRefunds take five working days\.$/,
  );
  assert.throws(
    () => retrieve(lm, { prompt: "Just {question}" }),
    (e) => InvalidRequestError.isInstance(e) && /\{passages\}/.test(e.message),
  );
  assert.throws(
    () => retrieve(lm, { k: 0 }),
    (e) => InvalidRequestError.isInstance(e),
  );
});

test("a named index that does not exist is an error naming `lmx index add`; no index at all answers as asked", async () => {
  const lm = scriptedLM(reader);
  await assert.rejects(
    retrieve(lm, { index: join(dir, "missing.sqlite") }).complete(request),
    (e) => ConfigurationError.isInstance(e) && /lmx index add/.test(e.message),
  );
  await assert.rejects(
    retrieve(lm, { index: "docs-index" }).complete(request),
    (e) => ConfigurationError.isInstance(e) && /\/docs-index\.sqlite.*--index docs-index/.test(e.message),
  );
  assert.equal(lm.calls.length, 0);
  const ctx = createRunContext();
  const result = await retrieve(lm).complete(request, ctx);
  assert.equal(resultText(result), "I do not know.");
  assert.deepEqual(lm.calls[0]!.messages, request.messages);
  assert.match(String(spansNamed(ctx.span, "search")[0]!.attributes.skipped), /lmx index add/);
});

test("with an index built with embeddings, the question is embedded by the index's own embedder (auto) and ranked hybrid", async () => {
  const path = join(dir, "hybrid.sqlite");
  const index = DocumentIndex.open({
    path,
    embedder: openaiEmbedder({ model: "test-embedding", baseURL: server.url }),
  });
  await index.add([join(dir, "docs")]);
  index.close();
  // The embedder's settings come from the runtime's environment, never the process's.
  const host = createRunHost({ config: { providers: {} }, env: { OPENAI_BASE_URL: server.url }, cwd: dir });
  {
    const lm = scriptedLM(reader);
    const ctx = { ...createRunContext(), host };
    const before = server.requests.length;
    const result = await retrieve(lm, { index: path, k: 2 }).complete(request, ctx);
    assert.equal(resultText(result), ANSWER);
    assert.deepEqual(
      server.requests.slice(before).map((r) => [r.path, r.body.input]),
      [["/v1/embeddings", [question]]],
    );
    const hits = spansNamed(ctx.span, "search")[0]!.attributes.hits as { ranker: string }[];
    assert.ok(hits.every((h) => h.ranker === "hybrid"));
    assert.equal(result.usage.calls, 2, "the embedding call and the answer");
    const none = await retrieve(scriptedLM(reader), { index: path, embedder: "none" }).complete(request, {
      ...createRunContext(),
      host,
    });
    assert.equal(none.usage.calls, 1, "embedder=none searches by BM25 only");
  }
});
