import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { acquireModel } from "./llama-runtime.ts";
import { writeTinyGguf } from "./testing/write-tiny-gguf.ts";

let dir: string;
let file: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "lmx-llama-runtime-"));
  file = await writeTinyGguf({ path: path.join(dir, "tiny.gguf"), embeddingLength: 32, blockCount: 1 });
});

after(() => rm(dir, { recursive: true, force: true }));

test("one model per file, freed after its last user, loaded anew after that", async () => {
  const [a, b] = await Promise.all([acquireModel({ path: file }), acquireModel({ path: file })]);
  assert.equal(a.model, b.model);
  assert.equal(a.llama, b.llama);
  await a.release();
  await a.release(); // a second release of the same handle changes nothing
  assert.equal(b.model.disposed, false);
  await b.release();
  assert.equal(b.model.disposed, true);
  const c = await acquireModel({ path: file });
  assert.notEqual(c.model, a.model);
  assert.equal(c.llama, a.llama, "the Llama itself stays for the process");
  assert.ok(c.model.tokenize("abc").length === 3);
  await c.release();
});
