import assert from "node:assert/strict";
import { test } from "node:test";
import { chunkJson, chunkJsonl } from "./chunk-json.ts";

test("a JSON array gives one pretty-printed chunk per element with the element's lines in the file", () => {
  const text = '[\n  {"id": "a", "v": 1},\n  {"title": "B record",\n   "tricky": "x, ] } \\" ,"},\n  42\n]';
  const chunks = chunkJson({ text });
  assert.deepEqual(
    chunks.map((c) => [c.startLine, c.endLine, c.context]),
    [
      [2, 2, "a"],
      [3, 4, "B record"],
      [5, 5, "[2]"],
    ],
  );
  assert.deepEqual(JSON.parse(chunks[1]!.text), { title: "B record", tricky: 'x, ] } " ,' });
  assert.equal(chunks[0]!.text, '{\n  "id": "a",\n  "v": 1\n}');
});

test("a JSON object gives one chunk per entry, named by its key", () => {
  const chunks = chunkJson({ text: '{\n  "alpha": {"x": 1},\n  "beta": [1, 2]\n}\n' });
  assert.deepEqual(
    chunks.map((c) => [c.context, c.startLine, c.endLine]),
    [
      ["alpha", 2, 2],
      ["beta", 3, 3],
    ],
  );
  assert.deepEqual(JSON.parse(chunks[1]!.text), { beta: [1, 2] });
});

test("a record bigger than a chunk is cut between lines; invalid JSON falls back to text chunks", () => {
  const big = JSON.stringify([{ items: Array.from({ length: 200 }, (_, i) => `item number ${i}`) }]);
  const chunks = chunkJson({ text: big });
  assert.ok(chunks.length > 1);
  assert.ok(chunks.every((c) => c.text.length <= 1200 && c.startLine === 1));
  assert.ok(chunks.at(-1)!.text.includes("item number 199"));
  assert.deepEqual(
    chunkJson({ text: "not { json\n\nsecond paragraph" }).map((c) => c.text),
    ["not { json\n\nsecond paragraph"],
  );
});

test("JSON Lines: one chunk per record line, blank lines skipped, bad lines kept as text", () => {
  const chunks = chunkJsonl({ text: '{"name": "first", "n": 1}\n\nnot json at all\n{"n": 3}\n' });
  assert.deepEqual(
    chunks.map((c) => [c.startLine, c.context]),
    [
      [1, "first"],
      [3, undefined],
      [4, undefined],
    ],
  );
  assert.equal(chunks[0]!.text, '{\n  "name": "first",\n  "n": 1\n}');
  assert.equal(chunks[1]!.text, "not json at all");
});
