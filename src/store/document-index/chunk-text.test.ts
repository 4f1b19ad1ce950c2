import assert from "node:assert/strict";
import { test } from "node:test";
import { chunkText } from "./chunk-text.ts";
import { packLines } from "./pack-lines.ts";

test("text paragraphs are packed up to the limit, with exact 1-based line ranges, whatever the line endings", () => {
  const paragraphs = Array.from({ length: 20 }, (_, i) => `Paragraph ${i} ` + "lorem ipsum dolor ".repeat(8).trim());
  const text = paragraphs.join("\r\n\r\n");
  const chunks = chunkText({ text });
  const lines = text.split("\r\n");
  assert.ok(chunks.length >= 3 && chunks.length <= 5, `got ${chunks.length} chunks`);
  for (const c of chunks) {
    assert.equal(c.text, lines.slice(c.startLine - 1, c.endLine).join("\n"));
    assert.ok(c.text.length <= 1200 && c.text.length >= 400, `chunk of ${c.text.length}`);
  }
  assert.equal(chunks[0]!.startLine, 1);
  assert.equal(chunks.at(-1)!.endLine, lines.length);
});

test("overlap repeats the previous chunk's last short lines, within the overlap budget", () => {
  const lines = Array.from({ length: 60 }, (_, i) => `line ${String(i).padStart(2, "0")} ` + "x".repeat(30));
  const chunks = packLines({
    lines,
    blocks: lines.map((_, i) => ({ start: i, end: i + 1 })),
    size: { maxChars: 400, overlapChars: 90 },
  });
  assert.ok(chunks.length > 3);
  for (let i = 1; i < chunks.length; i++) {
    const shared = chunks[i - 1]!.endLine - chunks[i]!.startLine + 1;
    assert.equal(shared, 2, "two 39-char lines fit in 90 characters of overlap, three do not");
  }
  assert.deepEqual(
    packLines({ lines, blocks: [{ start: 0, end: 60 }], size: { maxChars: 400, overlapChars: 0 } })
      .flatMap((c) => [c.startLine, c.endLine])
      .slice(0, 3),
    [1, 10, 11],
  );
  assert.deepEqual(chunkText({ text: "\n\n   \n" }), []);
});
