import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { test } from "node:test";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import { defaultRegistry } from "../../techniques/registry.ts";
import { requestLMResolver } from "../request-lm.ts";
import { startProxyFixture } from "../testing/proxy-fixture.ts";

const ask = { model: "openai:test-model", messages: [{ role: "user" as const, content: "hi" }] };

/** A raw client that sends headers and part of a body, then one byte every `everyMs`. */
function dripper(port: number, everyMs: number): { socket: Socket; reply: Promise<string> } {
  const socket = connect(port, "127.0.0.1");
  const body = JSON.stringify(ask);
  socket.write(
    `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
  );
  let sent = 10;
  const timer = setInterval(() => {
    if (sent < body.length - 1 && !socket.destroyed) socket.write(body[sent++]!);
  }, everyMs);
  const reply = new Promise<string>((resolve) => {
    let text = "";
    socket.on("data", (d) => (text += d.toString()));
    socket.on("close", () => {
      clearInterval(timer);
      resolve(text);
    });
    socket.on("error", () => {});
  });
  return { socket, reply };
}

test("slow senders hold no concurrency slot: others are served at once; the slow ones get 408 and are cut off", async () => {
  const f = await startProxyFixture({
    server: { maxConcurrent: 2, limits: { bodyReadMs: 3000, requestMs: 300_000, jsonDepth: 64 } },
  });
  try {
    const slow = Array.from({ length: 16 }, () => dripper(f.proxy.port, 200));
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    const ok = await f.client.chat.completions.create(ask);
    const took = Date.now() - started;
    assert.equal(ok.choices[0]!.message.content, "answer 0");
    // Held slots would make this a 429 (2 slots, 16 senders) or a wait of the 3 s read limit; ~1 s
    // was measured under the full suite on 2 cores, so 2.5 s is a generous bound.
    assert.ok(took < 2500, `a normal request took ${took} ms behind 16 slow senders`);
    assert.equal(f.proxy.gate.active, 0, "no slot is held by a sender still sending");
    const replies = await Promise.all(slow.map((s) => s.reply));
    for (const text of replies) assert.match(text, /^HTTP\/1\.1 408/, text.slice(0, 80));
    assert.ok(replies.every((t) => t.includes("request_timeout")));
  } finally {
    await f.close();
  }
});

test("limits.requestCalls caps the upstream calls of one request, however the techniques stack; a client may not raise it", async () => {
  const f = await startProxyFixture({ reply: () => "The answer is 4.", server: { limits: { requestCalls: 5 } } });
  try {
    for (const budget of [undefined, { calls: 10_000 }]) {
      f.upstream.requests.length = 0;
      const r = await fetch(`${f.proxy.url}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          ...ask,
          model: "best-of-n(n=4) > universal-self-consistency(n=4) > self-refine(rounds=3)@openai:test-model",
          lmx: { budget },
        }),
      });
      await r.text();
      assert.ok(r.status === 200 || r.status === 400, `status ${r.status}`);
      assert.ok(f.upstream.requests.length <= 5, `${f.upstream.requests.length} upstream calls`);
    }
  } finally {
    await f.close();
  }
});

test("the server's deadline (limits.requestMs) is the time budget; a client may lower it, not raise it", async () => {
  const f = await startProxyFixture({
    server: { limits: { requestMs: 400, bodyReadMs: 30_000, jsonDepth: 64 } },
    behaviour: { delayMs: 3000 },
  });
  try {
    for (const budget of [undefined, { time_ms: 600_000 }]) {
      const started = Date.now();
      const r = await fetch(`${f.proxy.url}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...ask, lmx: { budget } }),
      });
      const took = Date.now() - started;
      const body = await r.json();
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(body.error.code, "budget_exceeded");
      // 400 ms deadline vs a 3 s upstream: well under 3 s even on a loaded machine.
      assert.ok(took < 2000, `took ${took} ms`);
    }
  } finally {
    await f.close();
  }
});

test("the request-LM memo is a bounded LRU", () => {
  let built = 0;
  const resolver = requestLMResolver({
    registry: defaultRegistry(),
    resolveModel: (spec) => {
      built++;
      return scriptedLM(() => "x", { name: spec.replace(/\W/g, "") });
    },
    aliases: {},
    maxSpecDepth: 4,
    maxN: 16,
    memo: 3,
  });
  const a = resolver({ model: "m:a" });
  resolver({ model: "m:b" });
  resolver({ model: "m:c" });
  assert.equal(resolver({ model: "m:a" }), a, "a hit is reused");
  resolver({ model: "m:d" }); // evicts b, the least recently used
  assert.equal(built, 4);
  assert.equal(resolver({ model: "m:a" }), a, "a was used recently: kept");
  resolver({ model: "m:b" });
  assert.equal(built, 5, "b was evicted and is built again");
  for (let i = 0; i < 1000; i++) resolver({ model: `m:x${i}` });
  assert.equal(built, 1005);
  const again = resolver({ model: "m:a" });
  assert.notEqual(again, a, "the memo holds at most 3: a is long gone");
  const long = `m:${"x".repeat(5000)}`;
  assert.notEqual(
    resolver({ model: long }),
    resolver({ model: long }),
    "a very long spec is not kept (its key alone would be large)",
  );
});

test("a chunked body without a length is cut off at maxBodyBytes (413), and the server keeps serving", async () => {
  const f = await startProxyFixture({ server: { maxBodyBytes: 64 * 1024 } });
  try {
    const chunk = new TextEncoder().encode(" ".repeat(16 * 1024));
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Up to 10 MB if nobody stops reading.
        if (pulled++ < 640) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const r = await fetch(`${f.proxy.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    assert.equal(r.status, 413);
    assert.equal((await r.json()).error.code, "request_too_large");
    assert.ok(pulled < 640, `the server stopped reading (${pulled} chunks pulled)`);
    const ok = await f.client.chat.completions.create(ask);
    assert.equal(ok.choices[0]!.message.content, "answer 0");
  } finally {
    await f.close();
  }
});
