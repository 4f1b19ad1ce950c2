import assert from "node:assert/strict";
import { test } from "node:test";
import { chunkFile, documentKind } from "./chunk-file.ts";
import { chunkSource } from "./chunk-source.ts";

test("source files are cut at top-level blocks: a function with blank lines inside stays whole", () => {
  const fn = (name: string, body: number) =>
    `export function ${name}(x: number): number {\n` +
    Array.from({ length: body }, (_, i) => `  const v${i} = x * ${i}; // step ${i} of ${name}\n\n`).join("") +
    "  return x;\n}";
  const text = ['import { a } from "./a.ts";', "", fn("first", 12), "", fn("second", 12), "", fn("third", 12)].join(
    "\n",
  );
  const chunks = chunkSource({ text });
  const lines = text.split("\n");
  for (const c of chunks) {
    assert.equal(c.text, lines.slice(c.startLine - 1, c.endLine).join("\n"));
    assert.ok(c.text.length <= 1200);
  }
  // Each function is in exactly one chunk, from its signature to its closing brace.
  for (const name of ["first", "second", "third"]) {
    const holders = chunks.filter((c) => c.text.includes(`function ${name}(`));
    assert.equal(holders.length, 1, name);
    assert.ok(
      holders[0]!.text.includes(`step 11 of ${name}`) &&
        /return x;\n}/.test(holders[0]!.text.slice(holders[0]!.text.indexOf(`function ${name}(`))),
    );
  }
  // Whole blocks do not overlap: no line is in two chunks.
  for (let i = 1; i < chunks.length; i++) assert.ok(chunks[i]!.startLine > chunks[i - 1]!.endLine);
});

test("a function longer than a chunk is cut at its inner blank lines and the pieces overlap", () => {
  const body = Array.from({ length: 40 }, (_, i) => `  statement_${i}(alpha, beta, gamma);\n`).join("\n");
  const text = `def long_function(alpha, beta, gamma):\n${body}\n`;
  const chunks = chunkSource({ text });
  assert.ok(chunks.length >= 2);
  assert.ok(chunks[1]!.startLine <= chunks[0]!.endLine, "the cut pieces share lines");
  assert.ok(chunks.every((c) => c.text.length <= 1200));
  for (let i = 0; i < 40; i++) assert.ok(chunks.some((c) => c.text.includes(`statement_${i}(`)));
});

test("file kinds come from extensions, and chunkFile dispatches on them", () => {
  assert.deepEqual(
    ["a.md", "b.MARKDOWN", "c.json", "d.jsonl", "e.ndjson", "f.py", "g.ts", "h.txt", "README"].map(documentKind),
    ["markdown", "markdown", "json", "jsonl", "jsonl", "source", "source", "text", "text"],
  );
  assert.equal(chunkFile({ path: "x.md", text: "# T\n\nbody" })[0]!.context, "T");
  assert.equal(chunkFile({ path: "x.txt", text: "# T\n\nbody" })[0]!.context, undefined);
  assert.equal(chunkFile({ path: "x.jsonl", text: '{"a":1}\n{"a":2}' }).length, 2);
});
