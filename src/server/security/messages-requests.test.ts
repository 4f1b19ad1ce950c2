import Anthropic from "@anthropic-ai/sdk";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { hostileRequestKit, type Posted } from "../testing/hostile-request-kit.ts";
import { startProxyFixture, UPSTREAM_KEY, type ProxyFixture } from "../testing/proxy-fixture.ts";

/**
 * Hostile requests to `POST /v1/messages`: host resources named through the model or `lmx`, model
 * strings naming files and commands, deep and huge bodies, unknown and prototype fields, keys. Each
 * is a 4xx in Anthropic's shape with no side effect and nothing of the host in the answer.
 */
const dir = mkdtempSync(join(tmpdir(), "lmx-messages-hostile-"));
const SECRET_TEXT = "CANARY-FILE-CONTENT-93be";
const secretFile = join(dir, "secret.jsonl");
writeFileSync(secretFile, `${SECRET_TEXT}\n{"question": "q", "answer": "${SECRET_TEXT}"}\n`);
const touched = join(dir, "pwned");
const KEY = "client-key-messages-0123";
let f: ProxyFixture;
const ask = { max_tokens: 20, messages: [{ role: "user", content: "hi" }] };

before(async () => {
  f = await startProxyFixture({
    aliases: { smart: "re2@openai:test-model" },
    server: { keys: [KEY], maxBodyBytes: 256 * 1024 },
  });
});
after(async () => {
  await f.close();
  rmSync(dir, { recursive: true, force: true });
});

const kit = hostileRequestKit({
  fixture: () => f,
  path: "/messages",
  headers: { "x-api-key": KEY },
  secrets: [UPSTREAM_KEY, KEY, SECRET_TEXT],
  touched,
});
const { post, assertClean, assertNoSideEffect } = kit;

/** A 4xx in Anthropic's error shape. */
function assertRefused(r: Posted, what: string, status?: number): any {
  const body = kit.assertClientError(r, what, status);
  assert.equal(body.type, "error", what);
  assert.equal(typeof body.error.type, "string", what);
  assert.equal(typeof body.error.message, "string", what);
  return body;
}

test("host resources named through the model, lmx.technique or over an alias are 400s naming the option", async () => {
  const cases: [string, string][] = [
    [`few-shot(demos=${JSON.stringify(secretFile)})`, "demos"],
    [`retrieve(index=${JSON.stringify(secretFile)})`, "index"],
    [`memory(store=${JSON.stringify(secretFile)})`, "store"],
    [`tools(tools=["mcp:x"], mcp_servers={"x": {"command": "sh", "args": ["-c", "id > ${touched}"]}})`, "mcp_servers"],
  ];
  for (const [call, param] of cases)
    for (const body of [
      { ...ask, model: `${call}@openai:test-model` } as { model: string; lmx?: { technique: string } },
      { ...ask, model: `${call}@smart` },
      { ...ask, model: "openai:test-model", lmx: { technique: call } },
    ]) {
      const what = `${body.model} ${JSON.stringify(body.lmx ?? "")}`;
      const error = assertRefused(await post(body), what, 400).error;
      assert.equal(error.type, "invalid_request_error", what);
      assert.equal(error.details.param, param, what);
      assert.equal(error.details.error_code, "host_resource_not_allowed", what);
    }
  assertNoSideEffect("host resources");
});

test("model strings naming files, commands, URLs or prototype names are 4xx and touch nothing", async () => {
  for (const model of [
    `llama:${secretFile}`,
    "llama:/etc/passwd",
    "../../../../etc/passwd",
    `$(id > ${touched})`,
    `sh -c 'id > ${touched}'`,
    "http://169.254.169.254/latest/meta-data",
    "__proto__",
    "re2@__proto__",
    "toString@openai:test-model",
    "x".repeat(100_000),
  ]) {
    const r = await post({ ...ask, model });
    assertRefused(r, model.slice(0, 80));
    assert.ok(r.text.length < 3000, `${model.slice(0, 40)}: a short answer (${r.text.length} bytes)`);
  }
  assertNoSideEffect("model strings");
  // A plain name, even a prototype's, is only a model name for the default endpoint, passed verbatim.
  const plain = await post({ ...ask, model: "constructor" });
  assert.equal(plain.status, 200);
  assert.equal(f.upstream.requests.at(-1)!.body.model, "constructor");
  f.upstream.requests.length = 0;
  // Shell text after a provider is only a model name, passed to the upstream as one.
  const r = await post({ ...ask, model: `openai:test-model; id > ${touched}` });
  assert.equal(r.status, 200);
  assert.equal(f.upstream.requests[0]!.body.model, `test-model; id > ${touched}`);
  assert.equal(existsSync(touched), false);
  f.upstream.requests.length = 0;
});

test("bodies nested 5,000 deep anywhere are 400; a body over maxBodyBytes is 413 request_too_large", async () => {
  const nest = "[".repeat(5000) + "]".repeat(5000);
  const obj = '{"a":'.repeat(5000) + "1" + "}".repeat(5000);
  for (const text of [
    `{"model":"openai:test-model","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"extra":${nest}}`,
    `{"model":"openai:test-model","max_tokens":5,"messages":[{"role":"user","content":${nest}}]}`,
    `{"model":"openai:test-model","max_tokens":5,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":${obj}}]}]}`,
    `{"model":"openai:test-model","max_tokens":5,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"f","input_schema":{"type":"object","properties":${obj}}}]}`,
  ]) {
    const error = assertRefused(await post(text), text.slice(0, 80), 400).error;
    assert.match(error.message, /deeper than/);
  }
  const huge = assertRefused(
    await post({ ...ask, model: "openai:test-model", messages: [{ role: "user", content: "x".repeat(300_000) }] }),
    "huge",
    413,
  );
  assert.equal(huge.error.type, "request_too_large");
  // Many blocks within the size limit are fine, and the server keeps serving.
  const many = Array.from({ length: 2000 }, (_, i) => ({ type: "text", text: `p${i}` }));
  const r = await post({ ...ask, model: "openai:test-model", messages: [{ role: "user", content: many }] });
  assert.equal(r.status, 200, r.text.slice(0, 200));
  assert.equal(f.upstream.requests.at(-1)!.body.messages[0].content.length, 2000);
  f.upstream.requests.length = 0;
});

test("unknown fields and block fields are not forwarded; __proto__ keys pollute nothing", async () => {
  const r = await post(
    JSON.stringify({
      ...ask,
      model: "openai:test-model",
      container: "c-1",
      mcp_servers: [{ type: "url", url: "http://169.254.169.254/", name: "x" }],
      service_tier: "auto",
      messages: [
        {
          role: "user",
          content: [{ type: "text", text: "hi", cache_control: { type: "ephemeral" }, evil: "block-field" }],
        },
      ],
      __proto__: { stream: true, polluted: "yes" },
    }).replace('"messages"', '"__proto__":{"stream":true,"polluted":"yes"},"messages"'),
  );
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.equal(r.json().type, "message", "not streamed: the __proto__ key set nothing");
  const sent = f.upstream.requests[0]!.body;
  for (const key of ["container", "mcp_servers", "service_tier", "__proto__", "polluted", "stream"])
    assert.ok(!Object.hasOwn(sent, key), `${key} reached the upstream`);
  assert.deepEqual(sent.messages[0].content, [{ type: "text", text: "hi" }]);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  f.upstream.requests.length = 0;
});

test("keys: a missing or wrong key is 401 authentication_error, never echoed; the SDK with the key is served", async () => {
  for (const headers of [
    {} as Record<string, string>,
    { "x-api-key": "" },
    { "x-api-key": "wrong-key-0123456789-abc" },
    { authorization: "Bearer wrong-key-0123456789-abc" },
    // A wrong bearer token is not rescued by a right x-api-key: one key per request, the bearer first.
    { authorization: "Bearer wrong-key-0123456789-abc", "x-api-key": KEY },
    { "x-api-key": `${KEY} ` + "x".repeat(10_000) },
  ]) {
    const r = await post({ ...ask, model: "openai:test-model" }, headers);
    const body = assertRefused(r, JSON.stringify(headers).slice(0, 80), 401);
    assert.equal(body.error.type, "authentication_error");
    assert.ok(!r.text.includes("wrong-key"), "the key is not echoed");
  }
  assertNoSideEffect("keys");
  const client = new Anthropic({ baseURL: f.proxy.url.replace(/\/v1$/, ""), apiKey: KEY, maxRetries: 0 });
  const m = await client.messages.create({ ...ask, model: "openai:test-model" } as never);
  assert.equal((m as Anthropic.Message).type, "message");
  const traces = await (await fetch(`${f.proxy.url}/traces`, { headers: { "x-api-key": KEY } })).text();
  assert.ok(!traces.includes(KEY), "keys are not stored in traces");
  f.upstream.requests.length = 0;
});

test("an upstream error holding the upstream key reaches the client scrubbed", async () => {
  // The test server counts every POST since it started: "first" here means all from now on.
  f.upstream.behaviour.failFirst = { count: 1e9, status: 500, message: `bad key ${UPSTREAM_KEY}` };
  try {
    for (const stream of [false, true]) {
      const r = await post({ ...ask, model: "openai:test-model", stream });
      assert.equal(r.status, 502, r.text);
      assert.equal(r.json().error.type, "api_error");
      assert.ok(!r.text.includes(UPSTREAM_KEY), r.text);
    }
  } finally {
    f.upstream.behaviour.failFirst = undefined;
    f.upstream.requests.length = 0;
  }
});

test("count_tokens: the same checks (keys, host resources, hostile models, depth) and no upstream call", async () => {
  const count = (body: unknown, headers?: Record<string, string>) => post(body, headers, "/messages/count_tokens");
  assertRefused(await count({ ...ask, model: "openai:test-model" }, {}), "no key", 401);
  const host = assertRefused(
    await count({ ...ask, model: `few-shot(demos=${JSON.stringify(secretFile)})@openai:test-model` }),
    "host resource",
    400,
  );
  assert.equal(host.error.details.param, "demos");
  for (const model of [`llama:${secretFile}`, "__proto__", `$(id > ${touched})`])
    assertRefused(await count({ ...ask, model }), model);
  const deep = `{"model":"openai:test-model","messages":[{"role":"user","content":${"[".repeat(5000)}${"]".repeat(5000)}}]}`;
  assertRefused(await count(deep), "deep", 400);
  const ok = await count({ ...ask, model: "openai:test-model" });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(typeof ok.json().input_tokens, "number");
  assertNoSideEffect("count_tokens");
});
