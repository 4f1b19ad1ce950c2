import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import OpenAI from "openai";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { contentText } from "../../core/messages.ts";
import { serverConfigFrom } from "../server-config.ts";
import { startProxyFixture } from "../testing/proxy-fixture.ts";

const ask = { model: "openai:test-model", messages: [{ role: "user" as const, content: "What is 2+3?" }] };
const ALICE = "alice-key-0123456789abcdef";
const BOB = "bob-key-0123456789abcdef00";
const OPERATOR = "operator-key-0123456789abcd";

test("a granted demo set is named by the request and used; its path never is", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lmx-grants-"));
  const demos = join(dir, "math.jsonl");
  writeFileSync(demos, '{"question": "What is 1+1?", "answer": "2, since one and one make two."}\n');
  const f = await startProxyFixture({ config: { demoSets: { math: demos } } });
  try {
    const ok = await f.client.chat.completions.create({ ...ask, model: "few-shot(demos=math)@openai:test-model" });
    assert.equal(ok.choices[0]!.message.content, "answer 0");
    const sent = f.upstream.requests[0]!.body as { messages: { content: string }[] };
    assert.ok(
      sent.messages.some((m) => contentText(m.content as never).includes("one and one make two")),
      "the granted demos reached the upstream",
    );
    for (const model of [
      `few-shot(demos=${JSON.stringify(demos)})@openai:test-model`,
      "few-shot(demos=physics)@openai:test-model",
    ]) {
      const r = await fetch(`${f.proxy.url}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...ask, model }),
      });
      const body = await r.json();
      assert.equal(r.status, 400, model);
      assert.equal(body.error.param, "demos");
      assert.match(body.error.message, /granted: math/, "the granted names are listed");
      assert.ok(!JSON.stringify(body).includes("one and one"), "nothing of the file");
    }
  } finally {
    await f.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a granted MCP server that fails keeps its stderr and command out of the answer; the log has them", async () => {
  const lines: string[] = [];
  const script = "process.stderr.write('STDERR-CANARY ' + (process.env.HOME ?? '')); process.exit(3)";
  const f = await startProxyFixture({
    config: { mcp: { servers: { broken: { command: process.execPath, args: ["-e", script] } } } },
    log: (l) => lines.push(l),
  });
  try {
    const r = await fetch(`${f.proxy.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...ask, model: 'tools(tools=["mcp:broken"])@openai:test-model' }),
    });
    const text = await r.text();
    assert.equal(r.status, 503, text);
    assert.equal(JSON.parse(text).error.code, "configuration_error");
    for (const bad of ["STDERR-CANARY", process.execPath, "-e"])
      assert.ok(!text.includes(bad), `the answer holds ${bad}`);
    const traceId = r.headers.get("x-lmx-trace-id");
    assert.ok(traceId);
    const logged = lines.join("\n");
    assert.match(logged, /STDERR-CANARY/, "the operator's log keeps the detail");
    assert.ok(logged.includes(traceId!), "with the trace id");
    assert.equal(lines.filter((l) => l.includes("STDERR-CANARY")).length, 1, "logged once");
    const trace = await (await fetch(`${f.proxy.url}/traces/${traceId}`)).text();
    for (const bad of ["STDERR-CANARY", process.execPath])
      assert.ok(!trace.includes(bad), `the trace the client may read holds ${bad}: ${trace}`);
    const ungranted = await fetch(`${f.proxy.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...ask, model: 'tools(tools=["mcp:other"])@openai:test-model' }),
    });
    assert.equal(ungranted.status, 400);
    assert.match((await ungranted.json()).error.message, /granted: broken/);
  } finally {
    await f.close();
  }
});

test("tenants: Bob cannot list or open Alice's traces; the operator key sees both", async () => {
  const f = await startProxyFixture({ server: { keys: [ALICE, BOB], operatorKeys: [OPERATOR] } });
  const as = (key: string) => new OpenAI({ baseURL: f.proxy.url, apiKey: key, maxRetries: 0 });
  const get = async (key: string, path: string) => {
    const r = await fetch(`${f.proxy.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: r.status, text: await r.text() };
  };
  try {
    await as(ALICE).chat.completions.create({
      ...ask,
      messages: [{ role: "user", content: "alice's private question" }],
    });
    await as(BOB).chat.completions.create(ask);
    const aliceList = JSON.parse((await get(ALICE, "/traces")).text).data as { id: string }[];
    const bobList = JSON.parse((await get(BOB, "/traces")).text).data as { id: string }[];
    assert.equal(aliceList.length, 1);
    assert.equal(bobList.length, 1);
    assert.notEqual(aliceList[0]!.id, bobList[0]!.id);
    const aliceTrace = await get(ALICE, `/traces/${aliceList[0]!.id}`);
    assert.equal(aliceTrace.status, 200);
    assert.match(aliceTrace.text, /alice's private question/);
    const stolen = await get(BOB, `/traces/${aliceList[0]!.id}`);
    assert.equal(stolen.status, 404, "another tenant's trace looks like a missing one");
    assert.ok(!stolen.text.includes("alice"));
    assert.ok(!(await get(BOB, "/traces")).text.includes("alice"));
    const all = JSON.parse((await get(OPERATOR, "/traces")).text).data as { id: string }[];
    assert.equal(all.length, 2);
    assert.equal((await get(OPERATOR, `/traces/${aliceList[0]!.id}`)).status, 200);
    assert.ok(!aliceTrace.text.includes(ALICE) && !aliceTrace.text.includes(BOB), "keys are never stored");
  } finally {
    await f.close();
  }
});

test("keys shorter than 16 characters or with spaces are refused at start-up, without showing them", () => {
  for (const keys of [["short"], ["exactly-15-char"], ["has a space in the middle!"]]) {
    assert.throws(
      () => serverConfigFrom({ config: { server: { keys }, env: {} } }),
      (e) => ConfigurationError.isInstance(e) && !e.message.includes(keys[0]!) && /key #1/.test(e.message),
      keys[0],
    );
  }
  assert.throws(
    () => serverConfigFrom({ config: { env: { LMX_SERVER_KEYS: "short" } } }),
    (e) => ConfigurationError.isInstance(e),
  );
  assert.throws(
    () => serverConfigFrom({ config: { server: { operatorKeys: ["tiny"] }, env: {} } }),
    (e) => ConfigurationError.isInstance(e),
  );
  assert.equal(serverConfigFrom({ config: { server: { keys: [ALICE] }, env: {} } }).keys?.length, 1);
});

test("the 401 hint reads as written (the scrubber does not mangle it)", async () => {
  const f = await startProxyFixture({ server: { keys: [ALICE] } });
  try {
    const r = await fetch(`${f.proxy.url}/models`);
    const body = await r.json();
    assert.equal(r.status, 401);
    assert.doesNotMatch(body.error.message, /redacted/);
    assert.match(body.error.message, /bearer token in the Authorization header/);
  } finally {
    await f.close();
  }
});
