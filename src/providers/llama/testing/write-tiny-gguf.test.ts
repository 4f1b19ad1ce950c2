import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { getLlama, readGgufFileInfo } from "node-llama-cpp";
import { TINY_CHAT_TEMPLATE, writeTinyGguf } from "./write-tiny-gguf.ts";

let dir: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "lmx-gguf-"));
});

after(() => rm(dir, { recursive: true, force: true }));

test("writes a GGUF v3 llama model that node-llama-cpp's own parser reads back", async () => {
  const file = await writeTinyGguf({ path: path.join(dir, "a", "tiny.gguf"), blockCount: 2 });
  assert.ok((await stat(file)).size < 1_000_000);
  const info = await readGgufFileInfo(file, { readTensorInfo: true });
  assert.equal(info.version, 3);
  const meta = info.metadata as unknown as Record<string, Record<string, unknown>>;
  assert.equal(meta.general!.architecture, "llama");
  assert.equal(meta.general!.alignment, 32);
  const llama = meta.llama as Record<string, unknown> & {
    attention: Record<string, unknown>;
    rope: Record<string, unknown>;
  };
  assert.equal(llama.embedding_length, 64);
  assert.equal(llama.block_count, 2);
  assert.equal(llama.attention.head_count, 4);
  assert.equal(llama.attention.head_count_kv, 2);
  assert.equal(llama.rope.dimension_count, 16);
  const tokenizer = meta.tokenizer as {
    ggml: { model: string; tokens: string[]; token_type: number[] };
    chat_template: string;
  };
  assert.equal(tokenizer.ggml.model, "llama");
  assert.equal(tokenizer.ggml.tokens.length, tokenizer.ggml.token_type.length);
  assert.equal(tokenizer.ggml.tokens[3 + 0x41], "<0x41>");
  assert.equal(tokenizer.chat_template, TINY_CHAT_TEMPLATE);
  const tensors = info.fullTensorInfo!;
  assert.equal(tensors.length, 3 + 9 * 2);
  const k = tensors.find((t) => t.name === "blk.1.attn_k.weight")!;
  assert.deepEqual(k.dimensions.map(Number), [64, 32]);
  for (const t of tensors) assert.equal(Number(t.offset) % 32, 0, t.name);
});

test("the same seed writes the same bytes; another seed other weights", async () => {
  const a = await readFile(await writeTinyGguf({ path: path.join(dir, "s1.gguf"), seed: 5 }));
  const b = await readFile(await writeTinyGguf({ path: path.join(dir, "s2.gguf"), seed: 5 }));
  const c = await readFile(await writeTinyGguf({ path: path.join(dir, "s3.gguf"), seed: 6 }));
  assert.ok(a.equals(b));
  assert.equal(a.length, c.length);
  assert.ok(!a.equals(c));
});

test("llama.cpp loads the f16 variant, tokenizes one token per character and generates", async () => {
  const file = await writeTinyGguf({
    path: path.join(dir, "f16.gguf"),
    tensorType: "f16",
    embeddingLength: 32,
    blockCount: 1,
  });
  const llama = await getLlama({ gpu: false, build: "never" });
  const model = await llama.loadModel({ modelPath: file });
  try {
    assert.equal(model.tokenize("Hi there!").length, 9);
    assert.deepEqual(model.tokenize("<|im_start|>", true).length, 1);
    const context = await model.createContext({ contextSize: 256, threads: 1 });
    const sequence = context.getSequence();
    const out: number[] = [];
    for await (const token of sequence.evaluate(model.tokenize("Hello", false), { temperature: 0 })) {
      out.push(token);
      if (out.length === 5) break;
    }
    assert.equal(out.length, 5);
    await context.dispose();
  } finally {
    await model.dispose();
  }
});
