import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createRunContext } from "../core/context.ts";
import { ConfigurationError } from "../core/errors/configuration-error.ts";
import { writeTinyGguf } from "../providers/llama/testing/write-tiny-gguf.ts";
import { llamaEmbedder } from "./llama-embedder.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-llama-embedder-"));
const modelPath = await writeTinyGguf({ path: join(dir, "tiny.gguf"), seed: 5 });
const embedder = llamaEmbedder({ modelPath, threads: 1 });
after(async () => {
  await embedder.close?.();
  rmSync(dir, { recursive: true, force: true });
});

// The tiny model's weights are random, so its vectors mean nothing: only their shape is checked.
test("a llama.cpp model embeds texts into vectors of its hidden size, traced as one call", async () => {
  assert.equal(embedder.id, `llama:${modelPath}`);
  assert.equal(embedder.dimensions, undefined, "unknown before the model is loaded");
  const ctx = createRunContext();
  const vectors = await embedder.embed(["hello world", "", "hello world", "a".repeat(3000)], ctx);
  assert.equal(embedder.dimensions, 64);
  assert.equal(vectors.length, 4);
  for (const v of vectors) {
    assert.equal(v.length, 64);
    assert.ok(v.every(Number.isFinite));
  }
  assert.deepEqual(vectors[0], vectors[2], "the same text gives the same vector");
  assert.notDeepEqual(vectors[0], vectors[3]);
  assert.equal(ctx.span.children.length, 1);
  assert.equal(ctx.span.total.calls, 1);
  assert.ok(ctx.span.total.prompt_tokens >= 500, "the 3000-character text was cut to the context, not rejected");
});

test("a missing model file is a ConfigurationError naming it", async () => {
  const missing = llamaEmbedder({ modelPath: join(dir, "missing.gguf"), threads: 1 });
  await assert.rejects(
    missing.embed(["x"]),
    (e) => ConfigurationError.isInstance(e) && e.message.includes("missing.gguf"),
  );
});
