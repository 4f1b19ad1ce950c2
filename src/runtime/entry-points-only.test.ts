import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";

const src = new URL("..", import.meta.url).pathname;

/** Where the environment and config files may be read: the entry points, and the library factories' defaults. */
const ENTRY_POINTS = [
  /^cli\//,
  // Test support (src/testing and any testing/ folder) may read the test environment (LMX_TEST_PG).
  /(^|\/)testing\//,
  /^config\/load-config\.ts$/,
  /^runtime\/create-lmx-runtime\.ts$/,
  // Library factories a program calls directly: `openaiLM({ model })` reads OPENAI_API_KEY unless given an env.
  /^providers\/(openai\/openai-lm|anthropic\/anthropic-lm|llama\/llama-lm)\.ts$/,
  /^embeddings\/openai-embedder\.ts$/,
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")
        ? [join(dir, e.name)]
        : [],
  );
}

test("below the entry points no module reads process.env or calls loadConfig()", () => {
  const offenders: string[] = [];
  for (const file of sources(src)) {
    const path = relative(src, file);
    if (ENTRY_POINTS.some((p) => p.test(path))) continue;
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, i) => {
        const code = line.trim();
        if (code.startsWith("*") || code.startsWith("//") || code.startsWith("/*")) return;
        if (/\bprocess\.env\b|\bloadConfig\(/.test(code)) offenders.push(`${path}:${i + 1}: ${code}`);
      });
  }
  assert.deepEqual(offenders, []);
});
