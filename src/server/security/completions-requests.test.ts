import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import fc from "fast-check";
import OpenAI from "openai";
import { hostileRequestKit, type Posted } from "../testing/hostile-request-kit.ts";
import { startProxyFixture, UPSTREAM_KEY, type ProxyFixture } from "../testing/proxy-fixture.ts";

/**
 * Hostile and malformed requests to `POST /v1/completions`: unknown and refused parameters, token
 * prompts, batches over the cap, deep and huge bodies, host resources named through the model or
 * `lmx`, model strings naming files and commands, missing keys. Each is a 4xx in the OpenAI error
 * shape naming the parameter, with nothing run upstream and nothing of the host in the answer.
 */
const dir = mkdtempSync(join(tmpdir(), "lmx-completions-hostile-"));
const SECRET_TEXT = "CANARY-FILE-CONTENT-5d1c";
const secretFile = join(dir, "secret.jsonl");
writeFileSync(secretFile, `${SECRET_TEXT}\n{"question": "q", "answer": "${SECRET_TEXT}"}\n`);
const touched = join(dir, "pwned");
const KEY = "client-key-completions-0123";
const MAX_N = 4;
let f: ProxyFixture;

before(async () => {
  f = await startProxyFixture({
    aliases: { smart: "re2@openai:test-model" },
    server: { keys: [KEY], maxBodyBytes: 64 * 1024, maxN: MAX_N },
  });
});
after(async () => {
  await f.close();
  rmSync(dir, { recursive: true, force: true });
});

const kit = hostileRequestKit({
  fixture: () => f,
  path: "/completions",
  headers: { authorization: `Bearer ${KEY}` },
  secrets: [UPSTREAM_KEY, KEY, SECRET_TEXT],
  touched,
});
const { post, assertClean, assertNoSideEffect } = kit;

/** A 4xx in the OpenAI error shape; its `error`. */
function assertRefused(r: Posted, what: string, status?: number) {
  const { error } = kit.assertClientError(r, what, status) as {
    error: { message: string; type: string; param: string | null; code: string | null };
  };
  assert.equal(typeof error.message, "string", what);
  assert.equal(typeof error.type, "string", what);
  return error;
}

const ok = { model: "openai:test-model", prompt: "hi" };

test("malformed bodies are 400s naming the parameter; refused parameters say why; nothing runs", async () => {
  const cases: [unknown, string | null, RegExp][] = [
    [{ ...ok, frobnicate: 1 }, "frobnicate", /unknown parameter: frobnicate/],
    [{ ...ok, messages: [{ role: "user", content: "hi" }] }, "messages", /unknown parameter: messages/],
    [{ ...ok, prompt: [1, 2, 3] }, "prompt", /token arrays are not supported/],
    [{ ...ok, prompt: [[1, 2], [3]] }, "prompt", /token arrays are not supported/],
    [{ ...ok, prompt: ["a", 7] }, "prompt", /token arrays are not supported/],
    [{ model: "openai:test-model" }, "prompt", /must be a string or an array of strings/],
    [{ ...ok, prompt: null }, "prompt", /must be a string or an array of strings/],
    [{ ...ok, prompt: [] }, "prompt", /./],
    [{ ...ok, prompt: [{ text: "x" }] }, "prompt[0]", /./],
    [{ ...ok, logprobs: 2 }, "logprobs", /log probabilities are not served/],
    [{ ...ok, logprobs: 0 }, "logprobs", /log probabilities are not served/],
    [{ ...ok, suffix: "end" }, "suffix", /suffix is not supported|leave suffix out/],
    [{ ...ok, best_of: 3 }, "best_of", /needs token log probabilities/],
    [{ ...ok, n: 3, best_of: 2 }, "best_of", /must be at least n \(3\)/],
    [{ ...ok, n: MAX_N + 1 }, "n", /./],
    [{ ...ok, prompt: ["a", "b", "c"], n: 2 }, "n", /3 prompts × n=2 ask for 6 completions; .* at most 4/],
    [{ ...ok, prompt: ["a", "b", "c", "d", "e"] }, "prompt", /./],
    [{ ...ok, max_tokens: 0 }, "max_tokens", /./],
    [{ ...ok, temperature: 3 }, "temperature", /./],
    [{ ...ok, stop: Array.from({ length: 17 }, () => "x") }, "stop", /./],
    [{ ...ok, logit_bias: { hello: 1 } }, "logit_bias", /keys must be token ids/],
    [{ ...ok, logit_bias: { "50256": 101 } }, "logit_bias.50256", /./],
    [{ ...ok, echo: "yes" }, "echo", /./],
    [{ ...ok, lmx: { budget: { calls: -1 } } }, "lmx.budget.calls", /./],
    [{ ...ok, lmx: { evil: 1 } }, "lmx.evil", /unknown parameter: evil/],
    ["[1, 2]", null, /must be a JSON object/],
    ["{not json", null, /not valid JSON/],
  ];
  for (const [body, param, message] of cases) {
    const what = typeof body === "string" ? body : JSON.stringify(body);
    const error = assertRefused(await post(body), what, 400);
    assert.equal(error.type, "invalid_request_error", what);
    assert.equal(error.param, param, `${what}: ${error.message}`);
    assert.match(error.message, message, what);
  }
  assertNoSideEffect("malformed bodies");
});

test("what the cap allows is served: prompts × n = maxN, best_of equal to n, echo false", async () => {
  const r = await post({ ...ok, prompt: ["a", "b"], n: 2, best_of: 2, echo: false });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json().choices.length, 4);
  f.upstream.requests.length = 0;
});

test("echo that would repeat more than a body's worth of prompt is 413; too many prompts say the cap", async () => {
  // 40 KB × n=4 = 160 KB echoed, over the 64 KiB body limit, though the body itself fits.
  const echo = assertRefused(await post({ ...ok, prompt: "x".repeat(40 * 1024), n: 4, echo: true }), "echo", 413);
  assert.equal(echo.param, "echo");
  const many = assertRefused(await post({ ...ok, prompt: ["a", "b", "c", "d", "e"] }), "5 prompts", 400);
  assert.equal(many.param, "prompt");
  assert.match(many.message, /at most 4 prompts/);
  assertNoSideEffect("echo and prompt caps");
});

test("bodies nested 5,000 deep are 400; a body over maxBodyBytes is 413; wrong method 405, wrong type 415", async () => {
  const nest = "[".repeat(5000) + "]".repeat(5000);
  for (const text of [
    `{"model":"openai:test-model","prompt":${nest}}`,
    `{"model":"openai:test-model","prompt":"hi","logit_bias":${'{"a":'.repeat(5000)}1${"}".repeat(5000)}}`,
  ]) {
    const error = assertRefused(await post(text), text.slice(0, 60), 400);
    assert.match(error.message, /deeper than/);
  }
  const huge = assertRefused(await post({ ...ok, prompt: "x".repeat(70 * 1024) }), "huge", 413);
  assert.equal(huge.code, "request_too_large");
  const many = assertRefused(
    await post({ ...ok, prompt: Array.from({ length: 20_000 }, () => "x") }),
    "many prompts",
    413,
  );
  assert.equal(many.code, "request_too_large");
  const get = await fetch(`${f.proxy.url}/completions`, { headers: { authorization: `Bearer ${KEY}` } });
  assert.equal(get.status, 405);
  assert.equal(get.headers.get("allow"), "POST");
  const form = await fetch(`${f.proxy.url}/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "text/plain" },
    body: JSON.stringify(ok),
  });
  assert.equal(form.status, 415);
  const crossSite = await fetch(`${f.proxy.url}/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json", origin: "https://evil.example" },
    body: JSON.stringify(ok),
  });
  assert.equal(crossSite.status, 403);
  assert.equal(f.proxy.gate.active, 0, "every request gave its slot back");
  assertNoSideEffect("oversized bodies");
});

test("host resources named through the model, lmx.technique or over an alias are 400s naming the option", async () => {
  const cases: [string, string][] = [
    [`few-shot(demos=${JSON.stringify(secretFile)})`, "demos"],
    [`retrieve(index=${JSON.stringify(secretFile)})`, "index"],
    [`memory(store=${JSON.stringify(secretFile)})`, "store"],
    [`tools(tools=["mcp:x"], mcp_servers={"x": {"command": "sh", "args": ["-c", "id > ${touched}"]}})`, "mcp_servers"],
  ];
  for (const [call, param] of cases)
    for (const body of [
      { ...ok, model: `${call}@openai:test-model` } as { model: string; lmx?: { technique: string } },
      { ...ok, model: `${call}@smart` },
      { ...ok, lmx: { technique: call } },
      { ...ok, prompt: ["a", "b"], stream: true, lmx: { technique: call } },
    ]) {
      const what = `${body.model} ${JSON.stringify(body.lmx ?? "")}`;
      const error = assertRefused(await post(body), what, 400);
      assert.equal(error.param, param, what);
      assert.equal(error.code, "host_resource_not_allowed", what);
    }
  assertNoSideEffect("host resources");
});

test("model strings naming files, commands, URLs or prototype names are 4xx and touch nothing", async () => {
  for (const model of [
    `llama:${secretFile}`,
    "llama:/etc/passwd",
    "replay:../../secrets.jsonl",
    `$(id > ${touched})`,
    "http://169.254.169.254/latest/meta-data",
    "__proto__",
    "re2@__proto__",
    "toString@openai:test-model",
    "x".repeat(60_000),
  ]) {
    const r = await post({ ...ok, model });
    assertRefused(r, model.slice(0, 80));
    assert.ok(r.text.length < 3000, `${model.slice(0, 40)}: a short answer (${r.text.length} bytes)`);
  }
  assertNoSideEffect("model strings");
});

test("keys: a missing or wrong key is 401, never echoed; the SDK with the key is served", async () => {
  for (const headers of [
    {} as Record<string, string>,
    { authorization: "Bearer wrong-key-0123456789-abc" },
    { authorization: "" },
  ]) {
    const r = await post(ok, headers);
    const error = assertRefused(r, JSON.stringify(headers), 401);
    assert.ok(["missing_api_key", "invalid_api_key"].includes(error.code!), r.text);
    assert.ok(!r.text.includes("wrong-key"), "the key is not echoed");
  }
  assertNoSideEffect("keys");
  const client = new OpenAI({ baseURL: f.proxy.url, apiKey: KEY, maxRetries: 0 });
  const r = await client.completions.create({ model: "openai:test-model", prompt: "hi" });
  assert.equal(r.object, "text_completion");
  assert.match(r.choices[0]!.text, /^answer \d+$/);
  assert.deepEqual(f.upstream.requests.at(-1)!.body.messages, [{ role: "user", content: "hi" }]);
  f.upstream.requests.length = 0;
});

test(
  `fuzz: 1500 Completions bodies, never a 500, always OpenAI-shaped, never a secret`,
  { timeout: 60_000 },
  async () => {
    const garbage = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.double(), fc.object());
    // Mostly valid values, some garbage: bodies that get past the schema reach the resolver and the upstream.
    const or = <T>(valid: fc.Arbitrary<T>) =>
      fc.oneof({ arbitrary: valid, weight: 30 }, { arbitrary: garbage, weight: 1 });
    const rarely = <T>(value: fc.Arbitrary<T>) =>
      fc.oneof({ arbitrary: fc.constant(undefined), weight: 12 }, { arbitrary: value, weight: 1 });
    const body = fc.record({
      model: or(
        fc.constantFrom(
          "gpt-4o-mini",
          "openai:test-model",
          "smart",
          "re2@openai:test-model",
          "self-consistency(n=2)@openai:test-model",
          "constructor",
          "",
          `few-shot(demos=${JSON.stringify(secretFile)})@openai:test-model`,
          "llama:/etc/passwd",
        ),
      ),
      prompt: or(
        fc.oneof(
          { arbitrary: fc.string({ maxLength: 40 }), weight: 4 },
          { arbitrary: fc.array(fc.string({ maxLength: 20 }), { minLength: 1, maxLength: 3 }), weight: 4 },
          { arbitrary: fc.array(fc.integer({ min: 0, max: 50_000 }), { maxLength: 4 }), weight: 1 },
        ),
      ),
      n: rarely(or(fc.integer({ min: 1, max: 3 }))),
      max_tokens: rarely(or(fc.oneof(fc.integer({ min: 1, max: 64 }), fc.constant(null)))),
      temperature: rarely(or(fc.double({ min: 0, max: 2, noNaN: true }))),
      stop: rarely(or(fc.oneof(fc.string({ maxLength: 4 }), fc.array(fc.string({ maxLength: 4 }), { maxLength: 5 })))),
      echo: rarely(or(fc.boolean())),
      best_of: rarely(or(fc.integer({ min: 1, max: 3 }))),
      logprobs: rarely(fc.oneof(fc.constant(null), fc.integer())),
      suffix: rarely(fc.oneof(fc.constant(null), fc.string())),
      logit_bias: rarely(
        or(fc.dictionary(fc.integer({ min: 0, max: 99999 }).map(String), fc.integer({ min: -100, max: 100 }))),
      ),
      stream: or(fc.boolean()),
      stream_options: rarely(or(fc.record({ include_usage: fc.boolean() }))),
      lmx: rarely(or(fc.record({ technique: fc.constantFrom("re2", "self-consistency(n=2)", "nope(", "__proto__") }))),
      extra: rarely(fc.jsonValue({ maxDepth: 2 })),
    });
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const res = await f.proxy.app.fetch(
          new Request("http://127.0.0.1/v1/completions", {
            method: "POST",
            headers: { "content-type": "application/json", host: "127.0.0.1", authorization: `Bearer ${KEY}` },
            body: JSON.stringify(b),
          }),
          { incoming: { socket: { remoteAddress: "127.0.0.1" } } },
        );
        const out = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        assert.ok(res.status < 500, `${res.status} for ${JSON.stringify(b).slice(0, 300)}: ${out.slice(0, 300)}`);
        assertClean(out, JSON.stringify(b).slice(0, 100));
        if (res.headers.get("content-type")?.includes("text/event-stream")) {
          const frames = out.split("\n\n").filter(Boolean);
          assert.ok(frames.at(-1) === "data: [DONE]" || frames.at(-1)!.startsWith('data: {"error"'), out.slice(-300));
          for (const frame of frames.slice(0, -1)) assert.equal(JSON.parse(frame.slice(6)).object, "text_completion");
          return;
        }
        const json = JSON.parse(out);
        if (res.status >= 400) assert.equal(typeof json.error?.message, "string", out);
        else {
          assert.equal(json.object, "text_completion", out);
          for (const c of json.choices) assert.ok(["stop", "length", "content_filter"].includes(c.finish_reason), out);
        }
      }),
      { numRuns: 1500, seed: 20261211, interruptAfterTimeLimit: 45_000, markInterruptAsFailure: true },
    );
    console.log(`fuzz completions: statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    assert.ok((statuses.get(200) ?? 0) > 300, "answered bodies");
    assert.ok((statuses.get(400) ?? 0) > 150, "invalid bodies");
    assert.equal(statuses.get(500) ?? 0, 0);
    assert.equal(f.proxy.gate.active, 0);
    f.upstream.requests.length = 0;
  },
);
