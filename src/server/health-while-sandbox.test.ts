import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startProxyFixture, type ProxyFixture } from "./testing/proxy-fixture.ts";

/**
 * Issue 10: a model reply that loops forever, run by program-aided through the real proxy, must not
 * freeze the server. Sandboxes run in worker threads, so `/health` keeps answering while the program
 * spins; on the main thread it would wait for the whole time limit (2 s here).
 */
let f: ProxyFixture;
let upstreamCalls = 0;

before(async () => {
  f = await startProxyFixture({
    reply: () => {
      upstreamCalls++;
      return "```js\nwhile (true) {}\n```";
    },
  });
});
after(() => f.close());

test("GET /health answers quickly while a program-aided sandbox loops", async () => {
  // timeout_ms is lower-only for clients: 2000 is its default, the highest a client may ask for.
  const looping = f.client.chat.completions
    .create({
      model: "program-aided(timeout_ms=2000, max_fixes=0)@openai:test-model",
      messages: [{ role: "user", content: "What is six times seven?" }],
    })
    .then(
      (r) => ({ ok: true as const, text: r.choices[0]?.message.content ?? "" }),
      (error: unknown) => ({ ok: false as const, error }),
    );
  const started = performance.now();
  // Wait until the upstream has answered, so the program is running (or about to) in its sandbox.
  while (upstreamCalls === 0) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 200));
  const lags: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const health = await fetch(`${f.proxy.url.replace(/\/v1\/?$/, "")}/health`);
    assert.equal(health.status, 200);
    await health.text();
    lags.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 100));
  }
  const inFlight = performance.now() - started < 2000;
  const result = await looping;
  const elapsed = performance.now() - started;
  // The sandbox was still looping while /health was asked (the run ends at its 2 s limit), so the
  // probes measured a busy server, not an idle one.
  assert.ok(inFlight, "the /health probes ran while the program was looping");
  assert.ok(elapsed >= 1500, `the program ran until its time limit (${elapsed.toFixed(0)} ms)`);
  assert.ok(result.ok, `the request answers with the failure text: ${String(!result.ok && result.error)}`);
  assert.match(result.text, /time|limit|timed out/i);
  // 500 ms is generous for a loopback GET on a loaded 2-core machine; a blocked event loop would
  // hold every probe until the 2 s limit ends the run.
  assert.ok(Math.max(...lags) < 500, `/health latencies while the sandbox looped: ${lags.map((l) => l.toFixed(0))} ms`);
});
