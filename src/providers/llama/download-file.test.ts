import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { downloadFile } from "./download-file.ts";

const body = randomBytes(200_000);
let dir: string;
let server: http.Server;
let base: string;
const seen: { url: string; range?: string; auth?: string }[] = [];
let breakNext = false;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "lmx-download-"));
  server = http.createServer((req, res) => {
    seen.push({ url: req.url!, range: req.headers.range, auth: req.headers.authorization });
    const port = (server.address() as AddressInfo).port;
    if (req.url === "/redirect") return res.writeHead(302, { location: `http://localhost:${port}/file` }).end();
    if (req.url === "/gated") return res.writeHead(403, "Forbidden").end();
    if (req.url === "/stall") {
      res.writeHead(200, { "content-length": body.length });
      return res.write(body.subarray(0, 1000));
    }
    if (req.url !== "/file") return res.writeHead(404, "Not Found").end();
    const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? "")?.[1] ?? 0);
    res.writeHead(from ? 206 : 200, { "content-length": body.length - from });
    if (breakNext) {
      breakNext = false;
      // Half the body, then the connection drops.
      res.write(body.subarray(from, from + 50_000), () => res.destroy());
      return;
    }
    res.end(body.subarray(from));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  server.close();
  await rm(dir, { recursive: true, force: true });
});

test("a broken transfer leaves only a .part file, and the next call resumes it", async () => {
  const dest = path.join(dir, "a", "model.gguf");
  breakNext = true;
  await assert.rejects(
    downloadFile({ url: `${base}/file`, dest, label: "hf:x/y/model.gguf" }),
    (e) => ConfigurationError.isInstance(e) && /run again to resume/.test(e.message),
  );
  await assert.rejects(stat(dest));
  const partial = (await stat(`${dest}.part`)).size;
  assert.ok(partial > 0 && partial < body.length);
  const progress: number[] = [];
  seen.length = 0;
  await downloadFile({ url: `${base}/file`, dest, label: "x", onProgress: (p) => progress.push(p.receivedBytes) });
  assert.equal(seen[0]!.range, `bytes=${partial}-`);
  assert.ok((await readFile(dest)).equals(body));
  await assert.rejects(stat(`${dest}.part`));
  assert.ok(progress[0]! > partial && progress.at(-1) === body.length);
});

test("redirects are followed, but the auth header stays with the first host", async () => {
  seen.length = 0;
  const dest = path.join(dir, "b.gguf");
  await downloadFile({ url: `${base}/redirect`, dest, label: "x", headers: { authorization: "Bearer secret" } });
  assert.ok((await readFile(dest)).equals(body));
  assert.deepEqual(
    seen.map((s) => [s.url, s.auth]),
    [
      ["/redirect", "Bearer secret"],
      ["/file", undefined],
    ],
  );
});

test("HTTP errors and stalls are ConfigurationErrors that say what happened", async () => {
  await assert.rejects(
    downloadFile({ url: `${base}/missing`, dest: path.join(dir, "c.gguf"), label: "hf:a/b/c.gguf" }),
    (e) =>
      ConfigurationError.isInstance(e) &&
      e.message === "cannot download hf:a/b/c.gguf: the server answered 404 Not Found",
  );
  await assert.rejects(
    downloadFile({ url: `${base}/gated`, dest: path.join(dir, "d.gguf"), label: "x" }),
    (e) => ConfigurationError.isInstance(e) && /403.*HF_TOKEN/.test(e.message),
  );
  await assert.rejects(
    downloadFile({ url: `${base}/stall`, dest: path.join(dir, "e.gguf"), label: "x", idleTimeoutMs: 300 }),
    (e) => ConfigurationError.isInstance(e) && /no data/.test(e.message),
  );
});

test("a refused connection is reported as offline with the alternatives", async () => {
  await assert.rejects(
    downloadFile({ url: "http://127.0.0.1:1/x.gguf", dest: path.join(dir, "f.gguf"), label: "hf:a/b/x.gguf" }),
    (e) => {
      assert.ok(ConfigurationError.isInstance(e));
      assert.match(
        e.message,
        /^cannot download hf:a\/b\/x\.gguf: offline \(.*ECONNREFUSED.*\)\. Use a local model with --model llama:\.\/file\.gguf, or set OPENAI_BASE_URL \(any OpenAI-compatible server\) or ANTHROPIC_API_KEY\.$/,
      );
      return true;
    },
  );
});
