import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { boundedFetch } from "./bounded-fetch.ts";
import { nodeHttpFetch, type BodyBounds } from "./node-http-fetch.ts";

async function withServer(
  handle: (req: IncomingMessage, res: ServerResponse, body: string) => void,
  fn: (url: string) => Promise<void>,
) {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => handle(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

const bounds = (over: Partial<BodyBounds> = {}): BodyBounds => ({
  maxBytes: 1024 * 1024,
  idleMs: 5_000,
  tooLarge: () => new Error("too large"),
  stalled: () => new Error("stalled"),
  ...over,
});
const noFallback = () => Promise.reject(new Error("fallback used"));

test("a JSON call goes out with its method, headers and body, and its answer reads as fetch's would", async () => {
  await withServer(
    (req, res, body) => {
      res.writeHead(201, { "content-type": "application/json", "x-seen": `${req.method} ${req.url}` });
      res.end(
        JSON.stringify({ got: JSON.parse(body), auth: req.headers.authorization, enc: req.headers["accept-encoding"] }),
      );
    },
    async (url) => {
      const fetch = boundedFetch({ provider: "openai" });
      const res = await fetch(`${url}/v1/chat/completions?x=1`, {
        method: "post",
        headers: new Headers({ Authorization: "Bearer k", "content-type": "application/json" }),
        body: JSON.stringify({ model: "m" }),
      });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get("x-seen"), "POST /v1/chat/completions?x=1");
      assert.equal(res.url, `${url}/v1/chat/completions?x=1`);
      assert.deepEqual(await res.json(), { got: { model: "m" }, auth: "Bearer k", enc: "gzip, deflate" });
    },
  );
});

test("a gzip answer is decompressed, and its size is counted after decompression", async () => {
  const big = JSON.stringify({ text: "a".repeat(200_000) });
  await withServer(
    (_req, res) => res.writeHead(200, { "content-encoding": "gzip" }).end(gzipSync(big)),
    async (url) => {
      const small = nodeHttpFetch(bounds(), noFallback);
      assert.equal(await (await small(url, { method: "POST", body: "{}" }))!.text(), big);
      const capped = nodeHttpFetch(bounds({ maxBytes: 100_000 }), noFallback);
      await assert.rejects((await capped(url, { method: "POST", body: "{}" }))!.text(), /too large/);
    },
  );
});

test("a redirect is sent again through fetch; a body that is not a string, or a Request, is left to fetch", async () => {
  await withServer(
    (_req, res) => res.writeHead(307, { location: "/elsewhere" }).end(),
    async (url) => {
      const used: string[] = [];
      const fallback = async (input: string | URL | Request) => {
        used.push(String(input));
        return new Response("{}");
      };
      const fetch = nodeHttpFetch(bounds(), fallback as typeof globalThis.fetch);
      assert.equal((await fetch(url, { method: "POST", body: "{}" }))!.status, 200);
      assert.deepEqual(used, [url]);
      assert.equal(await fetch(url, { method: "POST", body: new Uint8Array([1]) }), undefined);
      assert.equal(await fetch(new Request(url, { method: "POST", body: "{}" })), undefined);
    },
  );
});

test("a refused connection fails as fetch does: a TypeError whose cause says what happened", async () => {
  const fetch = nodeHttpFetch(bounds(), noFallback);
  await assert.rejects(fetch("http://127.0.0.1:1/v1", { method: "POST", body: "{}" }), (e: Error) => {
    assert.ok(e instanceof TypeError);
    assert.match(String((e.cause as Error).message), /ECONNREFUSED/);
    return true;
  });
});

test("an abort after the headers ends the body read with the abort's reason; a stall ends it at idleMs", async () => {
  await withServer(
    (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"partial":');
    },
    async (url) => {
      const controller = new AbortController();
      const fetch = nodeHttpFetch(bounds(), noFallback);
      const res = (await fetch(url, { method: "POST", body: "{}", signal: controller.signal }))!;
      const reading = res.text();
      controller.abort(new Error("stop"));
      await assert.rejects(reading, /stop/);

      const started = performance.now();
      const stalled = nodeHttpFetch(bounds({ idleMs: 100 }), noFallback);
      await assert.rejects((await stalled(url, { method: "POST", body: "{}" }))!.text(), /stalled/);
      // Generous: the bound is 100 ms; a loaded 2-core machine can be slow.
      assert.ok(performance.now() - started < 3_000);
    },
  );
});

test("a slow reader is not taken for a stalled upstream: the idle timer runs only while the reader waits", async () => {
  await withServer(
    (_req, res) => res.writeHead(200).end("x".repeat(300_000)),
    async (url) => {
      const fetch = nodeHttpFetch(bounds({ idleMs: 100 }), noFallback);
      const res = (await fetch(url, { method: "POST", body: "{}" }))!;
      await new Promise((r) => setTimeout(r, 400));
      assert.equal((await res.text()).length, 300_000);
    },
  );
});
