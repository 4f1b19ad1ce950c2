import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { memoryKeyLedger } from "../shared-state/memory-key-ledger.ts";
import type { KeySpend } from "../shared-state/key-ledger.ts";
import { startProxyFixture, type ProxyFixture } from "./testing/proxy-fixture.ts";

// A client that leaves mid-request must not get the calls already sent for free: they reach the
// trace and the key's ledger (security review: a key could overspend its budget without bound).
const KEYS = [
  "cut-key-chat-0123456789",
  "cut-key-stream-0123456789",
  "cut-key-text-0123456789",
  "cut-key-embed-012345",
  "cut-key-batch-012345",
];
/** The ledger's name for a key: its tenant (see access.ts). */
const tenant = (key: string) => createHash("sha256").update(key).digest().subarray(0, 8).toString("hex");

async function withProxy(
  fn: (f: ProxyFixture, spend: (key: string) => Promise<KeySpend>) => Promise<void>,
  upstream: Pick<Parameters<typeof startProxyFixture>[0] & {}, "reply" | "behaviour"> = {
    // Each answer takes 3 s; the clients leave long before.
    behaviour: { delayMs: 3_000 },
  },
) {
  const ledger = memoryKeyLedger();
  const f = await startProxyFixture({
    ...upstream,
    server: { keys: KEYS, keyBudget: { tokens: 1_000_000, calls: 1_000, period: "total" } },
    config: {
      prices: {
        "openai:test-model": { input: 1000, output: 2000 },
        "openai:text-embedding-3-small": { input: 1000, output: 0 },
      },
    },
    ledger,
  });
  try {
    await fn(f, (key) => ledger.spend(tenant(key), "total"));
  } finally {
    await f.close();
  }
}

/** Posts `body` to `path` as `key` and leaves once the upstream has received `sent` requests. */
async function leaveMidRequest(f: ProxyFixture, o: { key: string; path: string; body: unknown; sent: number }) {
  const before = f.upstream.requests.length;
  const controller = new AbortController();
  const response = fetch(`${f.proxy.url}${o.path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${o.key}` },
    body: JSON.stringify(o.body),
    signal: controller.signal,
  }).then(async (r) => {
    // A streamed answer starts at once; the client leaves while it waits for the first token.
    await r.body?.cancel();
  });
  while (f.upstream.requests.length - before < o.sent) await new Promise((r) => setTimeout(r, 5));
  controller.abort();
  await response.catch(() => {});
  return f.upstream.requests.slice(before);
}

/** The key's ledger once the request has settled (behind the response; up to 10 s). */
async function settled(spend: () => Promise<KeySpend>): Promise<KeySpend> {
  for (let i = 0; i < 200; i++) {
    const s = await spend();
    if (s.spent.calls > 0 && s.held.calls === 0) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  return spend();
}

async function lastTrace(f: ProxyFixture, key: string) {
  const r = await fetch(`${f.proxy.url}/traces`, { headers: { authorization: `Bearer ${key}` } });
  return ((await r.json()) as { data: { status: string; usage: Record<string, number> }[] }).data[0]!;
}

test("a client that leaves a chat or text completion mid-generation is charged the call it caused", async () => {
  await withProxy(async (f, spend) => {
    const messages = [{ role: "user", content: "Write a long essay about the sea." }];
    const cases = [
      { key: KEYS[0]!, path: "/chat/completions", body: { model: "openai:test-model", messages } },
      { key: KEYS[1]!, path: "/chat/completions", body: { model: "openai:test-model", messages, stream: true } },
      { key: KEYS[2]!, path: "/completions", body: { model: "openai:test-model", prompt: "Write about the sea." } },
    ];
    for (const c of cases) {
      const sent = await leaveMidRequest(f, { ...c, sent: 1 });
      const s = await settled(() => spend(c.key));
      const what = `${c.path} ${JSON.stringify(c.body).includes('"stream"') ? "streamed" : "JSON"}`;
      assert.equal(sent.length, 1, what);
      assert.equal(s.spent.calls, 1, `${what}: the key's ledger has the call`);
      assert.ok(s.spent.tokens > 0, `${what}: and its prompt`);
      assert.ok(s.spent.cost_usd > 0, `${what}: priced`);
      const trace = await lastTrace(f, c.key);
      assert.equal(trace.status, "aborted");
      assert.equal(trace.usage.calls, 1, `${what}: the trace has the call`);
      assert.equal(trace.usage.total_tokens, s.spent.tokens, `${what}: the ledger settled the trace's totals`);
    }
  });
});

test("/v1/embeddings: a client that leaves mid-request is charged every embedding call sent", async () => {
  await withProxy(async (f, spend) => {
    const key = KEYS[3]!;
    // Two batches of 128 texts, both in flight when the client leaves.
    const input = Array.from({ length: 256 }, (_, i) => `text number ${i} about the sea`);
    const sent = await leaveMidRequest(f, {
      key,
      path: "/embeddings",
      body: { model: "text-embedding-3-small", input },
      sent: 2,
    });
    const s = await settled(() => spend(key));
    assert.equal(sent.length, 2);
    assert.equal(s.spent.calls, sent.length, "each embedding call sent is on the key's ledger");
    assert.ok(s.spent.tokens >= 256, `${s.spent.tokens} tokens`);
    const trace = await lastTrace(f, key);
    assert.equal(trace.usage.calls, sent.length);
  });
});

test("/v1/completions streamed: a client that leaves after the first tokens is charged every prompt's call", async () => {
  // "fast" is answered at once; "slow" after 3 s, long after the client has gone.
  const reply = async (request: any) => {
    if (request.messages[0].content === "slow") await new Promise((r) => setTimeout(r, 3_000));
    return "The sea is wide and deep.";
  };
  await withProxy(
    async (f, spend) => {
      const key = KEYS[4]!;
      const res = await fetch(`${f.proxy.url}/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ model: "openai:test-model", prompt: ["fast", "slow"], stream: true }),
      });
      assert.equal(res.status, 200);
      const reader = res.body!.getReader();
      assert.ok((await reader.read()).value, "the first tokens came");
      while (f.upstream.requests.length < 2) await new Promise((r) => setTimeout(r, 5));
      await reader.cancel();
      const s = await settled(() => spend(key));
      assert.equal(f.upstream.requests.length, 2);
      // The slow prompt's call is cut off after the fast one was answered: it must land before the settle.
      assert.equal(s.spent.calls, 2, "both prompts' calls are on the key's ledger");
      assert.equal((await lastTrace(f, key)).usage.calls, 2);
    },
    { reply },
  );
});
