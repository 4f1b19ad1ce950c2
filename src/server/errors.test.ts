import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import OpenAI from "openai";
import { startProxyFixture, UPSTREAM_KEY } from "./testing/proxy-fixture.ts";

const ask = { model: "openai:test-model", messages: [{ role: "user" as const, content: "hi" }] };

/** The error the SDK throws, with its status and OpenAI-shaped body. */
async function sdkError(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof OpenAI.APIError, `expected an APIError, got ${String(error)}`);
    return error;
  }
  assert.fail("the request succeeded");
}

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

test("request mistakes are 400s naming the parameter; unknown models and routes are 404s", async () => {
  const f = await startProxyFixture();
  try {
    let e = await sdkError(
      f.client.chat.completions.create({ ...ask, model: "self-consistensy(n=3)@openai:test-model" }),
    );
    assert.equal(e.status, 400);
    assert.equal(e.param, "model");
    assert.match(e.message, /unknown technique "self-consistensy"/);

    e = await sdkError(f.client.chat.completions.create({ ...ask, lmx: { technique: "majority-vote(m=3)" } } as never));
    assert.equal(e.status, 400);
    assert.equal(e.param, "lmx.technique");

    e = await sdkError(f.client.chat.completions.create({ ...ask, temperature: "hot" } as never));
    assert.equal(e.status, 400);
    assert.equal(e.param, "temperature");
    e = await sdkError(f.client.chat.completions.create({ ...ask, n: 17 }));
    assert.equal(e.param, "n");
    e = await sdkError(
      f.client.chat.completions.create({ ...ask, messages: [{ role: "wizard", content: "x" }] } as never),
    );
    assert.equal(e.status, 400);
    assert.match(e.param ?? "", /^messages\[0\]/);
    e = await sdkError(f.client.chat.completions.create({ ...ask, model: "majority-vote(n=40)@openai:test-model" }));
    assert.equal(e.status, 400);
    assert.match(e.message, /at most n=16/);
    // Sample counts under other names are capped alike (adaptive-consistency takes up to 1,000 in the library).
    for (const model of [
      "adaptive-consistency(max=500)@openai:test-model",
      "cascade(verify=agreement, samples=20, models=[openai:test-model])@openai:test-model",
    ]) {
      e = await sdkError(f.client.chat.completions.create({ ...ask, model }));
      assert.equal(e.status, 400, model);
      assert.match(e.message, /at most n=16/, model);
    }
    const deep = "majority-vote > majority-vote > majority-vote > majority-vote > majority-vote@openai:test-model";
    e = await sdkError(f.client.chat.completions.create({ ...ask, model: deep }));
    assert.equal(e.status, 400);
    assert.match(e.message, /nests 5 techniques/);

    // Plain names pass through to the default endpoint (src/server/routes/); a spec naming no model is not found.
    e = await sdkError(f.client.chat.completions.create({ ...ask, model: "openai:" }));
    assert.equal(e.status, 404);
    assert.equal(e.code, "model_not_found");

    const bad = await post(f.proxy.url, "{not json");
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.type, "invalid_request_error");
    assert.match(bad.body.error.message, /not valid JSON/);
    const notFound = await fetch(`${f.proxy.url}/nothing`, { method: "POST" });
    assert.equal(notFound.status, 404);
    assert.equal((await notFound.json()).error.code, "unknown_url");
    const wrongMethod = await fetch(`${f.proxy.url}/chat/completions`);
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get("allow"), "POST");
    assert.ok((await wrongMethod.json()).error.message);
    assert.equal(f.upstream.requests.length, 0, "nothing reached the upstream");
  } finally {
    await f.close();
  }
});

test("upstream failures are 502, upstream timeouts 504, and no key appears in any answer", async () => {
  const f = await startProxyFixture({ upstreamTimeoutMs: 150 });
  try {
    f.upstream.behaviour.failFirst = {
      count: 1,
      status: 500,
      message: `boom, key was ${UPSTREAM_KEY}, Authorization: Bearer ${UPSTREAM_KEY}`,
    };
    let e = await sdkError(f.client.chat.completions.create(ask));
    assert.equal(e.status, 502);
    assert.equal((e.error as any).type, "upstream_error");
    assert.ok(!JSON.stringify(e.error).includes("SECRET"), JSON.stringify(e.error));
    const failedTrace = await fetch(`${f.proxy.url}/traces/${e.headers?.get("x-lmx-trace-id")}`);
    assert.equal((await failedTrace.json()).status, "error", "the failed run's trace is linked from its answer");

    f.upstream.behaviour.failFirst = undefined;
    f.upstream.behaviour.delayMs = 1000;
    e = await sdkError(f.client.chat.completions.create(ask));
    assert.equal(e.status, 504);
    e = await sdkError(f.client.chat.completions.create({ ...ask, stream: true }));
    assert.equal(e.status, 504, "a stream that fails before its first event gets a real status");

    const listed = await (await fetch(`${f.proxy.url}/traces`)).text();
    assert.ok(!listed.includes("SECRET"), "the trace list is scrubbed");
    const traces = JSON.parse(listed);
    assert.equal(traces.data.length, 3);
    assert.ok(traces.data.every((t: any) => t.status === "error"));
    const text = await (await fetch(`${f.proxy.url}/traces/${traces.data[2].id}`)).text();
    assert.ok(!text.includes("SECRET"), "traces are scrubbed too");
  } finally {
    await f.close();
  }
});

test("a model spec naming a local file that is no model never shows the client what the file holds", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lmx-secret-file-"));
  const path = join(dir, "notes.txt");
  writeFileSync(path, "hunter2-password\nmore private lines\n");
  const f = await startProxyFixture({ server: { allowProviders: ["openai", "llama", "replay"] } });
  try {
    for (const model of [`replay:${path}`, `llama:${path}`]) {
      const r = await post(f.proxy.url, JSON.stringify({ ...ask, model }));
      assert.equal(r.status, 503, model);
      assert.ok(!JSON.stringify(r.body).includes("hunter"), `${model}: ${JSON.stringify(r.body)}`);
    }
  } finally {
    await f.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("by default clients may not name local providers (files, downloads), in the model or in technique options", async () => {
  const f = await startProxyFixture({ aliases: { local: "openai:test-model" } });
  try {
    for (const model of [
      "llama:/etc/hostname",
      "replay:/etc/hostname",
      "self-refine(critic=llama:/etc/hostname)@openai:test-model",
      "re2@llama:hf:owner/repo/x.gguf",
    ]) {
      const r = await post(f.proxy.url, JSON.stringify({ ...ask, model }));
      assert.equal(r.status, 400, model);
      assert.equal(r.body.error.param, "model", model);
      assert.match(r.body.error.message, /does not let clients name (llama|replay): models/, model);
    }
    const viaTechnique = await post(
      f.proxy.url,
      JSON.stringify({
        ...ask,
        model: "openai:test-model",
        lmx: { technique: "self-refine(critic=replay:/etc/hostname)" },
      }),
    );
    assert.equal(viaTechnique.status, 400);
    assert.equal(viaTechnique.body.error.param, "lmx.technique");
    const ok = await post(f.proxy.url, JSON.stringify({ ...ask, model: "re2@openai:test-model" }));
    assert.equal(ok.status, 200, "allowed providers still work");
  } finally {
    await f.close();
  }
});

test("keys: a missing or wrong key is 401 when keys are configured", async () => {
  const f = await startProxyFixture({ server: { keys: ["lmx-key-1234567890"] }, clientKey: "lmx-key-1234567890" });
  try {
    const ok = await f.client.chat.completions.create(ask);
    assert.equal(ok.choices[0]!.message.content, "answer 0");
    const wrong = new OpenAI({ baseURL: f.proxy.url, apiKey: "lmx-key-wrong-0000000", maxRetries: 0 });
    assert.equal((await sdkError(wrong.chat.completions.create(ask))).status, 401);
    const none = await fetch(`${f.proxy.url}/models`);
    assert.equal(none.status, 401);
    assert.equal((await none.json()).error.code, "missing_api_key");
    assert.equal((await fetch(`${f.proxy.url.replace(/\/v1$/, "")}/health`)).status, 200);
  } finally {
    await f.close();
  }
});

test("saturation is 429 with Retry-After; a huge body is 413; a budget spent before any answer is 400", async () => {
  const f = await startProxyFixture({
    server: { maxConcurrent: 2, maxBodyBytes: 64 * 1024 },
    behaviour: { delayMs: 200 },
  });
  try {
    const running = [f.client.chat.completions.create(ask), f.client.chat.completions.create(ask)];
    for (let i = 0; i < 500 && f.proxy.gate.active < 2; i++) await new Promise((r) => setTimeout(r, 10));
    const busy = await post(f.proxy.url, JSON.stringify(ask));
    assert.equal(busy.status, 429);
    assert.equal(busy.headers.get("retry-after"), "1");
    assert.equal(busy.body.error.code, "rate_limit_exceeded");
    await Promise.all(running);
    assert.equal(f.proxy.gate.active, 0);

    const huge = await post(
      f.proxy.url,
      JSON.stringify({ ...ask, messages: [{ role: "user", content: "x".repeat(100_000) }] }),
    );
    assert.equal(huge.status, 413);
    assert.equal(huge.body.error.code, "request_too_large");

    const broke = await post(f.proxy.url, JSON.stringify({ ...ask, lmx: { budget: { calls: 0 } } }));
    assert.equal(broke.status, 400);
    assert.equal(broke.body.error.code, "budget_exceeded");
  } finally {
    await f.close();
  }
});

test("/v1/models lists aliases, techniques on the default model and configured models; /health is ok", async () => {
  const f = await startProxyFixture({ aliases: { smart: "majority-vote(n=2)@openai:test-model" } });
  try {
    const ids = [];
    for await (const model of f.client.models.list()) ids.push(model.id);
    assert.ok(ids.includes("smart"));
    assert.ok(ids.includes("openai:test-model"));
    assert.ok(ids.includes("majority-vote@openai:test-model"));
    const health = await fetch(`${f.proxy.url.replace(/\/v1$/, "")}/health`);
    assert.deepEqual(await health.json(), { status: "ok" });
  } finally {
    await f.close();
  }
});

test("/v1/models shows no spec a client could not have sent: the operator's file paths stay out", async () => {
  const f = await startProxyFixture({
    aliases: {
      smart: "majority-vote(n=2)@openai:test-model",
      local: "re2@llama:/srv/models/secret.gguf",
      demos: "few-shot(demos=/srv/demos/secret.jsonl)@openai:test-model",
    },
  });
  try {
    const text = await (await fetch(`${f.proxy.url}/models`)).text();
    const ids = (JSON.parse(text) as { data: { id: string; lmx?: { spec?: string } }[] }).data;
    assert.ok(!text.includes("/srv/"), text);
    for (const name of ["smart", "local", "demos"])
      assert.ok(
        ids.some((m) => m.id === name),
        name,
      );
    assert.equal(ids.find((m) => m.id === "smart")!.lmx!.spec, "majority-vote(n=2)@openai:test-model");
    assert.equal(ids.find((m) => m.id === "local")!.lmx!.spec, undefined);
  } finally {
    await f.close();
  }
});

test("an upstream error page that is not an API error is not relayed to the client or the trace; the log has it", async () => {
  const logged: string[] = [];
  const page = "<html><body>502 Bad Gateway: 10.9.8.7:8001 (gpu-node-3.corp.internal) is down</body></html>";
  const f = await startProxyFixture({
    behaviour: { failFirst: { count: 1, status: 502, html: page } },
    log: (line) => logged.push(line),
  });
  try {
    const r = await fetch(`${f.proxy.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "openai:test-model", messages: [{ role: "user", content: "hi" }] }),
    });
    const text = await r.text();
    assert.equal(r.status, 502, text);
    assert.doesNotMatch(text, /gpu-node-3|10\.9\.8\.7/);
    assert.match(text, /not an API error/);
    const trace = await (await fetch(`${f.proxy.url}/traces/${r.headers.get("x-lmx-trace-id")}`)).text();
    assert.doesNotMatch(trace, /gpu-node-3|10\.9\.8\.7/);
    assert.ok(
      logged.some((l) => l.includes("gpu-node-3.corp.internal")),
      "the operator's log keeps the page",
    );
  } finally {
    await f.close();
  }
});
