import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { defaultRegistry } from "../../techniques/registry.ts";
import { startProxyFixture, UPSTREAM_KEY, type ProxyFixture } from "../testing/proxy-fixture.ts";

/**
 * The hostile-request corpus of issue 9: every host-resource option through the model field,
 * `lmx.technique` and on top of an alias; prototype names; deep nesting; route traversal; header and
 * content-type tricks. Each must be a 4xx with no side effect (no canary file, no process, no socket
 * to the canary server) and no secret or file content in any byte of the answer.
 */
const dir = mkdtempSync(join(tmpdir(), "lmx-hostile-"));
const SECRET_TEXT = "CANARY-FILE-CONTENT-7f3a";
const secretFile = join(dir, "secret.jsonl");
writeFileSync(secretFile, `${SECRET_TEXT}\n{"question": "q", "answer": "${SECRET_TEXT}"}\n`);
const touched = join(dir, "pwned");
const canaryHits: string[] = [];
let canary: Server;
let canaryUrl = "";
let f: ProxyFixture;
const ask = { messages: [{ role: "user", content: "hi" }] };

before(async () => {
  canary = createServer((req, res) => {
    canaryHits.push(`${req.method} ${req.url}`);
    res.end("{}");
  });
  canary.on("connection", () => canaryHits.push("connection"));
  await new Promise<void>((r) => canary.listen(0, "127.0.0.1", r));
  canaryUrl = `http://127.0.0.1:${(canary.address() as AddressInfo).port}/mcp`;
  f = await startProxyFixture({
    aliases: { smart: "re2@openai:test-model" },
    config: { indexes: { docs: join(dir, "docs.sqlite") } },
  });
});

after(async () => {
  await f.close();
  await new Promise((r) => canary.close(r));
  rmSync(dir, { recursive: true, force: true });
});

/** A value for a host-resource option that would do harm if it were used. */
function hostileValue(param: {
  name: string;
  type: string;
  default?: unknown;
  maximum?: number;
  trust?: { lowerOnly?: boolean; grant?: string };
}): unknown[] {
  if (param.trust?.lowerOnly)
    return [Math.min(param.maximum ?? Number(param.default) * 10, Number(param.default) + 1000)];
  if (param.trust?.grant === "tools")
    return [["mcp:x"], [`index:${secretFile}`], [`memory:${secretFile}`], ["calculator", `mcp:${canaryUrl}`]];
  if (param.type.includes("object") && param.name.includes("mcp"))
    return [{ x: { command: "sh", args: ["-c", `echo pwned > ${touched}`] } }, { x: { url: canaryUrl } }];
  if (param.type === "any") return [`sh -c 'echo pwned > ${touched}'`];
  // A backtracking pattern run over the model's output would hold the event loop for seconds.
  if (param.name === "answer") return ["regex:^(.|.|.)*Z", "regex:(a+)+$"];
  return [secretFile, "../../../../etc/passwd", `llama:${secretFile}`, canaryUrl];
}

const hostParams = defaultRegistry()
  .list()
  .flatMap((t) => t.parameters.filter((p) => p.trust?.class === "host").map((p) => ({ technique: t.name, param: p })));

async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${f.proxy.url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** Nothing of the host in the answer: no upstream key, no file content, no canary path. */
function assertClean(text: string, what: string): void {
  for (const bad of [UPSTREAM_KEY, SECRET_TEXT, "root:x:0:0", "uid=", "pwned\n"])
    assert.ok(!text.includes(bad), `${what}: the answer holds ${bad}: ${text}`);
}

function assertNoSideEffect(what: string): void {
  assert.equal(existsSync(touched), false, `${what}: a command ran`);
  assert.deepEqual(canaryHits, [], `${what}: a socket was opened to the canary server`);
  assert.equal(f.upstream.requests.length, 0, `${what}: the upstream was called`);
}

test("there are host-resource options to attack (the corpus covers each of them)", () => {
  const names = hostParams.map((h) => `${h.technique}.${h.param.name}`);
  for (const must of [
    "few-shot.demos",
    "retrieve.index",
    "retrieve.embedder",
    "memory.store",
    "memory.embedder",
    "tools.tools",
    "tools.mcp_servers",
    "program-aided.timeout_ms",
  ])
    assert.ok(names.includes(must), must);
});

test("every host-resource option is a 400 naming it, through the model, lmx.technique and over an alias; nothing runs", async () => {
  let cases = 0;
  for (const { technique, param } of hostParams)
    for (const value of hostileValue(param)) {
      const call = `${technique}(${param.name}=${JSON.stringify(value)})`;
      const bodies: { model: string; lmx?: { technique: string } }[] = [
        { ...ask, model: `${call}@openai:test-model` },
        { ...ask, model: "openai:test-model", lmx: { technique: call } },
        { ...ask, model: `${call}@smart` },
        { ...ask, model: `cascade(models=[${JSON.stringify(`${call}@openai:test-model`)}])@openai:test-model` },
      ];
      for (const body of bodies) {
        const what = JSON.stringify(body.model) + (body.lmx ? ` + ${body.lmx.technique}` : "");
        const r = await post(body);
        assert.equal(r.status, 400, `${what}: ${r.text}`);
        const error = JSON.parse(r.text).error;
        assert.equal(error.param, param.name, what);
        assert.equal(error.code, "host_resource_not_allowed", what);
        assert.match(error.message, new RegExp(`${param.name} names a host resource`), what);
        assertClean(r.text, what);
        assertNoSideEffect(what);
        cases++;
      }
    }
  assert.ok(cases >= 80, `${cases} cases`);
});

test("the issue's shell-command request gets a 400 naming mcp_servers and starts nothing", async () => {
  const model = `tools(tools=["mcp:x"], mcp_servers={"x": {"command": "sh", "args": ["-c", "id > ${touched}"]}})@openai:x`;
  for (const type of ["application/json", "text/plain"]) {
    const r = await post({ ...ask, model }, { "content-type": type });
    assert.equal(r.status, type === "text/plain" ? 415 : 400, r.text);
    if (r.status === 400) assert.equal(JSON.parse(r.text).error.param, "mcp_servers");
    assertClean(r.text, type);
  }
  assertNoSideEffect("shell command");
});

test("client values of host options stay usable: inline demos, embedder auto/none, lowered sandbox limits", async () => {
  const before = f.upstream.requests.length;
  for (const model of [
    'few-shot(demos=[{"question": "1+1?", "answer": "2"}])@openai:test-model',
    "program-aided(timeout_ms=500, memory_mb=16)@openai:test-model",
    "retrieve(embedder=none, index=docs)@openai:test-model",
    "self-consistency(n=2, answer=number)@openai:test-model",
  ]) {
    const r = await post({ ...ask, model });
    assert.notEqual(r.status, 400, `${model}: ${r.text}`);
    assert.ok(r.status < 500 || r.status === 503, `${model}: ${r.status} ${r.text}`);
  }
  assert.ok(f.upstream.requests.length > before);
  f.upstream.requests.length = 0;
});

test("what a request leaves unset never falls back to the host's default stores", async () => {
  // retrieve without an index, memory without a store and the bare index/memory tools would use the
  // host's default files (LMX_INDEX, <state>/index.sqlite...): a client must name a granted one.
  for (const [model, param] of [
    ["retrieve@openai:test-model", "index"],
    ["retrieve(k=2)@openai:test-model", "index"],
    ["memory@openai:test-model", "store"],
    ['tools(tools=["index"])@openai:test-model', "tools"],
    ['tools(tools=["calculator", "memory"])@openai:test-model', "tools"],
  ]) {
    const r = await post({ ...ask, model });
    assert.equal(r.status, 400, `${model}: ${r.text}`);
    assert.equal(JSON.parse(r.text).error.param, param, model);
  }
});

test("prototype names as models and techniques are 4xx, never 500", async () => {
  for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "prototype"]) {
    for (const body of [
      { ...ask, model: name },
      { ...ask, model: `re2@${name}` },
      { ...ask, model: `${name}@openai:test-model` },
      { ...ask, model: "openai:test-model", lmx: { technique: name } },
      { ...ask, model: `cascade(models=[${name}])@openai:test-model` },
    ]) {
      const r = await post(body);
      // A plain name (no spec syntax) passes through to the default endpoint as that model's name, verbatim.
      if (r.status === 200 && /^[a-z]/i.test(name) && !body.model?.startsWith(`${name}@`)) {
        assert.equal(f.upstream.requests.at(-1)?.body.model, name);
        continue;
      }
      assert.ok(r.status >= 400 && r.status < 500, `${JSON.stringify(body)}: ${r.status} ${r.text}`);
      assert.ok(JSON.parse(r.text).error.message, "OpenAI-shaped");
    }
  }
  f.upstream.requests.length = 0;
  assertNoSideEffect("prototype names");
});

test("bodies nested 5,000 deep are 400 wherever the nesting is, and the server stays up", async () => {
  const deep = (n: number) => JSON.parse("[".repeat(n) + "]".repeat(n)) as unknown;
  const nest = "[".repeat(5000) + "]".repeat(5000);
  for (const text of [
    `{"model":"openai:test-model","messages":[{"role":"user","content":"hi"}],"extra":${nest}}`,
    `{"model":"openai:test-model","messages":[${nest}]}`,
    `{"model":"openai:test-model","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"a":${nest}}}}]}`,
  ]) {
    const r = await post(text);
    assert.equal(r.status, 400, r.text.slice(0, 200));
    assert.match(JSON.parse(r.text).error.message, /deeper than/);
  }
  // Nesting inside a spec string is no JSON nesting: the spec reader bounds it itself.
  const list = "[".repeat(100_000) + "]".repeat(100_000);
  for (const body of [
    { ...ask, model: `few-shot(demos=${list})@openai:test-model` },
    { ...ask, model: "openai:test-model", lmx: { technique: `few-shot(demos=${list})` } },
  ]) {
    const r = await post(body);
    assert.equal(r.status, 400, r.text.slice(0, 200));
    assert.match(JSON.parse(r.text).error.message, /nest at most 32 deep/);
  }
  assert.ok(deep(3));
  assert.equal((await fetch(`${f.proxy.url.replace(/\/v1$/, "")}/health`)).status, 200);
  assertNoSideEffect("deep bodies");
});

test("a rebound DNS name is refused: without keys, only a loopback Host is served", async () => {
  const port = new URL(f.proxy.url).port;
  const get = (host: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, path: "/v1/traces", headers: { host } }, (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      req.end();
    });
  for (const host of ["evil.example", `evil.example:${port}`, `127.0.0.1.evil.example:${port}`]) {
    const r = await get(host);
    assert.equal(r.status, 403, `${host}: ${r.body}`);
    assert.equal(JSON.parse(r.body).error.code, "host_not_allowed");
  }
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, "127.0.0.1"])
    assert.equal((await get(host)).status, 200, host);
});

test("content-type and origin tricks: only application/json bodies, only allowed origins", async () => {
  const body = JSON.stringify({ ...ask, model: "openai:test-model" });
  for (const type of [
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/jsonp",
    "text/json",
    "",
  ]) {
    const r = await fetch(`${f.proxy.url}/chat/completions`, {
      method: "POST",
      headers: type ? { "content-type": type } : {},
      body: new TextEncoder().encode(body),
    });
    assert.equal(r.status, 415, type);
    assert.equal((await r.json()).error.code, "unsupported_media_type");
  }
  for (const origin of [
    "https://evil.example",
    "null",
    `http://127.0.0.1.evil.example:${f.proxy.port}`,
    "http://localhost:1",
  ]) {
    const r = await post(body, { origin });
    assert.equal(r.status, 403, origin);
    assert.equal(JSON.parse(r.text).error.code, "origin_not_allowed");
    const list = await fetch(`${f.proxy.url}/traces`, { headers: { origin } });
    assert.equal(list.status, 403, `${origin}: traces`);
  }
  // The server's own page (/ui) on its loopback address may call it.
  const own = await post(body, { origin: `http://127.0.0.1:${f.proxy.port}` });
  assert.equal(own.status, 200, own.text);
  f.upstream.requests.length = 0;
});

test("traversal and odd ids in routes are 404s that quote nothing of the host", async () => {
  const base = f.proxy.url.replace(/\/v1$/, "");
  for (const path of [
    "/v1/traces/..%2F..%2F..%2Fetc%2Fpasswd",
    "/v1/traces/%2e%2e/%2e%2e/etc/passwd",
    "/v1/traces/__proto__",
    "/v1/traces/constructor",
    "/v1/..%2f..%2fetc/passwd",
    "/v1/traces/%00",
    "/ui/../../etc/passwd",
  ]) {
    const r = await fetch(`${base}${path}`);
    const text = await r.text();
    assert.ok(r.status === 404 || r.status === 400, `${path}: ${r.status}`);
    assertClean(text, path);
    assert.ok(!text.includes("root:"), path);
  }
});

test("the limit query of /v1/traces is bounded and never an error", async () => {
  for (const limit of ["-1", "1e309", "abc", "999999999", "__proto__"]) {
    const r = await fetch(`${f.proxy.url}/traces?limit=${limit}`);
    assert.equal(r.status, 200, limit);
    assert.ok((await r.json()).data.length <= 200);
  }
});
