import assert from "node:assert/strict";
import { test } from "node:test";
import { chunkMarkdown } from "./chunk-markdown.ts";

const lines = (text: string, c: { startLine: number; endLine: number }) =>
  text
    .split("\n")
    .slice(c.startLine - 1, c.endLine)
    .join("\n");

test("markdown is cut at headings, each chunk carrying its heading path and exact line range", () => {
  const text = [
    "Preamble before any heading.",
    "",
    "# Guide",
    "",
    "Intro paragraph.",
    "",
    "## Install",
    "",
    "Run the installer.",
    "",
    "```sh",
    "# a comment, not a heading",
    "",
    "npm i lmx",
    "```",
    "",
    "### From source",
    "",
    "Clone and build.",
    "",
    "# Reference",
    "",
    "Options are listed here.",
  ].join("\n");
  const chunks = chunkMarkdown({ text });
  assert.deepEqual(
    chunks.map((c) => [c.context, c.startLine, c.endLine]),
    [
      [undefined, 1, 1],
      ["Guide", 3, 5],
      ["Guide > Install", 7, 15],
      ["Guide > Install > From source", 17, 19],
      ["Reference", 21, 23],
    ],
  );
  for (const c of chunks) assert.equal(c.text, lines(text, c));
  assert.match(chunks[2]!.text, /npm i lmx\n```$/, "the fenced block stays whole and its # line is not a heading");
});

test("a long section is packed into chunks of at most 1200 characters that overlap a little, never crossing into the next section", () => {
  const paragraphs = Array.from(
    { length: 12 },
    (_, i) => `Paragraph ${i}: ` + "alpha beta gamma delta ".repeat(5).trim(),
  );
  const text = `# Long\n\n${paragraphs.join("\n\n")}\n\n# Next\n\nShort.`;
  const chunks = chunkMarkdown({ text });
  const long = chunks.filter((c) => c.context === "Long");
  assert.ok(long.length >= 2, `expected the long section in several chunks, got ${long.length}`);
  for (const c of long) {
    assert.ok(c.text.length <= 1200, `chunk of ${c.text.length} chars`);
    assert.equal(c.text, lines(text, c));
  }
  for (let i = 1; i < long.length; i++)
    assert.ok(long[i]!.startLine <= long[i - 1]!.endLine, "consecutive chunks share lines");
  const next = chunks.filter((c) => c.context === "Next");
  assert.deepEqual(
    next.map((c) => c.text),
    ["# Next\n\nShort."],
  );
  // Every paragraph is somewhere.
  for (const p of paragraphs)
    assert.ok(
      long.some((c) => c.text.includes(p)),
      `missing ${p.slice(0, 12)}`,
    );
});

test("a paragraph longer than a chunk is split into pieces of one line range, and a lone heading is not a chunk", () => {
  const text = "# Big\n\n" + "word ".repeat(700).trim();
  const chunks = chunkMarkdown({ text });
  assert.ok(chunks.length >= 3);
  assert.ok(chunks.every((c) => c.startLine === 3 && c.endLine === 3 && c.context === "Big" && c.text.length <= 1200));
  assert.equal(
    chunks
      .map((c) => c.text)
      .join(" ")
      .split(" ").length,
    700,
  );
});
