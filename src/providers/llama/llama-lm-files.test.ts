import assert from "node:assert/strict";
import { readFile, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { resultText } from "../../core/messages.ts";
import { llamaLM } from "./llama-lm.ts";
import { writeTinyGguf } from "./testing/write-tiny-gguf.ts";

let dir: string;
let tiny: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "lmx-llama-files-"));
  tiny = await writeTinyGguf({ path: path.join(dir, "tiny.gguf"), seed: 3, embeddingLength: 32, blockCount: 1 });
});

after(() => rm(dir, { recursive: true, force: true }));

const ask = { messages: [{ role: "user" as const, content: "Hi" }], max_tokens: 4 };

/** Runs one request on a fresh LM and closes it. */
async function once(options: Parameters<typeof llamaLM>[0]) {
  const lm = llamaLM({ threads: 1, contextSize: 256, ...options });
  try {
    return await lm.complete(ask);
  } finally {
    await lm.close();
  }
}

test("a missing model file is a ConfigurationError naming the path", async () => {
  const missing = path.join(dir, "nope.gguf");
  await assert.rejects(
    once({ model: missing }),
    (e) => ConfigurationError.isInstance(e) && e.message.includes(missing),
  );
});

test("a file that is not GGUF is a ConfigurationError naming the file and llama.cpp's reason", async () => {
  const garbage = path.join(dir, "garbage.gguf");
  await writeFile(garbage, "definitely not a model\n".repeat(64));
  await assert.rejects(
    once({ model: garbage }),
    (e) => ConfigurationError.isInstance(e) && e.message.includes(garbage) && /GGUF/i.test(e.message),
  );
  const truncated = path.join(dir, "truncated.gguf");
  const bytes = await readFile(tiny);
  await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
  await assert.rejects(
    once({ model: truncated }),
    (e) =>
      ConfigurationError.isInstance(e) &&
      e.message.includes(truncated) &&
      /corrupted|incomplete|bounds/.test(e.message),
  );
});

test("hf: offline fails fast with one clear line naming the alternatives", async () => {
  const previous = process.env.LMX_HF_ENDPOINT;
  process.env.LMX_HF_ENDPOINT = "http://127.0.0.1:1";
  const started = Date.now();
  try {
    await assert.rejects(
      once({ model: "hf:someone/some-model-GGUF/model-q4_k_m.gguf", cacheDir: path.join(dir, "cache") }),
      (e) => {
        assert.ok(ConfigurationError.isInstance(e));
        assert.match(
          e.message,
          /^cannot download hf:someone\/some-model-GGUF\/model-q4_k_m\.gguf: offline \(.+\)\. Use a local model with --model llama:\.\/file\.gguf, or set OPENAI_BASE_URL/,
        );
        assert.ok(!e.message.includes("\n"));
        return true;
      },
    );
  } finally {
    if (previous === undefined) delete process.env.LMX_HF_ENDPOINT;
    else process.env.LMX_HF_ENDPOINT = previous;
  }
  assert.ok(Date.now() - started < 10_000);
});

test("an hf: model downloads once into the cache folder, then loads from there", async () => {
  const bytes = await readFile(tiny);
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url!);
    // Like huggingface.co: the resolve URL redirects to a file server.
    if (req.url === "/lmx/tiny-GGUF/resolve/main/q/tiny.gguf")
      return res.writeHead(302, { location: "/cdn/tiny.gguf" }).end();
    if (req.url === "/cdn/tiny.gguf") return res.writeHead(200, { "content-length": bytes.length }).end(bytes);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const cacheDir = path.join(dir, "models");
  const progress: number[] = [];
  try {
    const options = {
      model: "hf:lmx/tiny-GGUF/q/tiny.gguf",
      cacheDir,
      hfEndpoint: endpoint,
      onDownloadProgress: (p: { receivedBytes: number }) => progress.push(p.receivedBytes),
    };
    assert.ok(resultText(await once(options)).length > 0);
    const cached = path.join(cacheDir, "lmx", "tiny-GGUF", "q", "tiny.gguf");
    assert.equal((await stat(cached)).size, bytes.length);
    assert.equal(progress.at(-1), bytes.length);
    assert.ok(resultText(await once(options)).length > 0);
    assert.deepEqual(hits, ["/lmx/tiny-GGUF/resolve/main/q/tiny.gguf", "/cdn/tiny.gguf"]);
    await assert.rejects(
      once({ ...options, model: "hf:lmx/missing/x.gguf" }),
      (e) => ConfigurationError.isInstance(e) && /404/.test(e.message),
    );
  } finally {
    server.close();
  }
});

test("two LMs on one file run side by side, reproduce each other, and reload after close", async () => {
  const a = llamaLM({ model: tiny, threads: 1, contextSize: 256 });
  const b = llamaLM({ model: tiny, threads: 1, contextSize: 256 });
  try {
    const [ra, rb] = await Promise.all([a.complete({ ...ask, seed: 4 }), b.complete({ ...ask, seed: 4 })]);
    assert.equal(resultText(ra), resultText(rb));
  } finally {
    await a.close();
    await b.close();
  }
  // Closed LMs load again on their next call.
  assert.ok(resultText(await a.complete(ask)).length > 0);
  await a.close();
});
