import assert from "node:assert/strict";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { defaultModelsDir, resolveModelFile } from "./resolve-model-file.ts";

test("local paths resolve against the working directory", async () => {
  assert.equal(await resolveModelFile({ model: "./models/x.gguf" }), path.resolve("models/x.gguf"));
});

test("LMX_MODELS_DIR moves the cache, and a cached hf: file is used without any request", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "lmx-models-"));
  // Nothing listens at the endpoint: a request would fail the test. The environment is an argument.
  const env = { LMX_MODELS_DIR: dir, LMX_HF_ENDPOINT: "http://127.0.0.1:1" };
  try {
    assert.equal(defaultModelsDir(env), dir);
    const cached = path.join(dir, "owner", "repo", "sub", "m.gguf");
    await mkdir(path.dirname(cached), { recursive: true });
    await writeFile(cached, "GGUF");
    assert.equal(await resolveModelFile({ model: "hf:owner/repo/sub/m.gguf", env }), cached);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  assert.ok(defaultModelsDir({}).endsWith(path.join("lmx", "models")));
});
