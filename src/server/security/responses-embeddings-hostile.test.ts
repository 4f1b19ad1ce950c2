import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import fc from "fast-check";
import OpenAI from "openai";
import { startProxyFixture, UPSTREAM_KEY, type ProxyFixture } from "../testing/proxy-fixture.ts";

/**
 * The Responses and embeddings routes under hostile clients: malformed and oversized bodies, deep JSON,
 * unknown fields, model strings naming files and commands, another key's stored response. Every answer
 * is a 4xx in the OpenAI error shape, nothing runs, nothing reaches the upstream, no secret shows.
 */
const dir = mkdtempSync(join(tmpdir(), "lmx-hostile-responses-"));
const touched = join(dir, "touched");
let f: ProxyFixture;

before(async () => {
  f = await startProxyFixture({ server: { maxBodyBytes: 64 * 1024 } });
});
after(async () => {
  await f.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(path: string, body: unknown) {
  const res = await fetch(`${f.proxy.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(!text.includes(UPSTREAM_KEY), "the upstream key leaked");
  return { status: res.status, text, json: () => JSON.parse(text) };
}

function assertRefused(r: { status: number; text: string }, what: string) {
  assert.ok(r.status >= 400 && r.status < 500, `${what}: ${r.status} ${r.text.slice(0, 300)}`);
  const body = JSON.parse(r.text);
  assert.equal(typeof body.error?.message, "string", what);
}

function assertNoSideEffect(what: string) {
  assert.equal(existsSync(touched), false, `${what}: a command ran`);
  assert.equal(f.upstream.requests.length, 0, `${what}: the upstream was called`);
}

const hostileModels = [
  "llama:/etc/passwd",
  "llama:hf:evil/repo/x.gguf",
  "replay:../../secrets.jsonl",
  `$(touch ${touched})`,
  "few-shot(demos=/etc/passwd)@openai:test-model",
  `tools(mcp=[{"command":"touch","args":["${touched}"]}])@openai:test-model`,
  "retrieve(index=/etc/passwd)@openai:test-model",
  "__proto__",
  "../../etc/passwd",
  "x".repeat(100_000),
];

test("responses: model strings naming files, commands or hosts are 4xx, nothing runs", async () => {
  for (const model of hostileModels) {
    assertRefused(await post("/responses", { model, input: "hi" }), model);
    assertRefused(
      await post("/responses", { model: "openai:test-model", input: "hi", lmx: { technique: model } }),
      `lmx.technique ${model}`,
    );
  }
  assertNoSideEffect("hostile models");
});

test("responses: malformed bodies, unknown fields, wrong types and bad items are 400 naming the parameter", async () => {
  const cases: [unknown, string?][] = [
    ["{not json"],
    [[]],
    ["null"],
    [{ input: "hi", surprise: true }, "surprise"],
    [{ model: "openai:test-model" }, "input"],
    [{ input: 42 }, "input"],
    [{ input: [{ role: "wizard", content: "x" }] }, "input[0]"],
    [{ input: [{ type: "function_call", name: "f" }] }, "input[0]"],
    [{ input: [{ type: "input_file", file_id: "f" }] }, "input[0]"],
    [{ input: [{ type: "item_reference", id: "x".repeat(301) }] }, "input[0]"],
    [{ input: [{ role: "user", content: [{ type: "input_file", file_url: "file:///etc/passwd" }] }] }, "input[0]"],
    [{ input: "hi", tools: [{ type: "web_search" }] }, "tools[0]"],
    [{ input: "hi", tools: [{ type: "function", name: "" }] }, "tools[0].name"],
    [{ input: "hi", text: { format: { type: "json_schema", name: "x" } } }, "text.format.schema"],
    [{ input: "hi", reasoning: { effort: "maximum" } }, "reasoning.effort"],
    [{ input: "hi", max_output_tokens: 0 }, "max_output_tokens"],
    [{ input: "hi", temperature: 9 }, "temperature"],
    [{ input: "hi", stream: "yes" }, "stream"],
    [{ input: "hi", background: true }, "background"],
    [{ input: "hi", previous_response_id: 5 }, "previous_response_id"],
    [{ input: "hi", lmx: { budget: { calls: -1 } } }, "lmx.budget.calls"],
    [{ input: "hi", lmx: { unknown: 1 } }, "lmx.unknown"],
  ];
  for (const [body, param] of cases) {
    const r = await post("/responses", body);
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
    // The parameter named is the one at fault, or a field inside it.
    if (param) assert.ok(String(r.json().error.param).startsWith(param), `${JSON.stringify(body)}: ${r.text}`);
  }
  assertNoSideEffect("malformed bodies");
});

test("responses and embeddings: oversized bodies are 413, deep JSON 400, the server stays up", async () => {
  const big = "x".repeat(70 * 1024);
  for (const path of ["/responses", "/embeddings"]) {
    assert.equal((await post(path, { model: "openai:test-model", input: big })).status, 413, path);
    const nest = "[".repeat(5000) + "]".repeat(5000);
    const deep = await post(path, `{"model":"openai:test-model","input":${nest}}`);
    assert.equal(deep.status, 400, path);
    assert.match(deep.json().error.message, /deeper than/);
    const wrongType = await fetch(`${f.proxy.url}${path}`, { method: "POST", body: "{}" });
    assert.equal(wrongType.status, 415, path);
    const wrongMethod = await fetch(`${f.proxy.url}${path}`);
    assert.equal(wrongMethod.status, 405, path);
    assert.equal(wrongMethod.headers.get("allow"), "POST");
  }
  assert.equal((await fetch(`${f.proxy.url.replace(/\/v1$/, "")}/health`)).status, 200);
  assert.equal(f.proxy.gate.active, 0, "every request gave its slot back");
  assertNoSideEffect("oversized bodies");
});

test("embeddings: hostile models and bodies are 4xx, nothing runs", async () => {
  for (const model of hostileModels) assertRefused(await post("/embeddings", { model, input: "hi" }), model);
  for (const body of [
    { model: "text-embedding-3-small" },
    { model: "text-embedding-3-small", input: [] },
    { model: "text-embedding-3-small", input: [1, 2] },
    { model: "text-embedding-3-small", input: "x", encoding_format: "int8" },
    { model: "text-embedding-3-small", input: "x", dimensions: -1 },
    { model: "text-embedding-3-small", input: "x", lmx: { technique: "re2" } },
  ])
    assert.equal((await post("/embeddings", body)).status, 400, JSON.stringify(body));
  assertNoSideEffect("hostile embeddings");
});

test(`fuzz: 1500 Responses bodies, never a 500, always OpenAI-shaped`, { timeout: 60_000 }, async () => {
  // Mostly valid values, some garbage: bodies that get past the schema reach the resolver and the upstream.
  const garbage = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.double(), fc.object());
  const or = <T>(valid: fc.Arbitrary<T>) =>
    fc.oneof({ arbitrary: valid, weight: 5 }, { arbitrary: garbage, weight: 1 });
  const part = fc.record({
    type: or(fc.constantFrom("input_text", "output_text", "input_image", "refusal")),
    text: or(fc.string()),
  });
  const item = fc.oneof(
    fc.record({
      role: or(fc.constantFrom("user", "assistant", "system", "developer")),
      content: or(fc.oneof(fc.string(), fc.array(part, { maxLength: 3 }))),
    }),
    fc.record({
      type: fc.constant("function_call"),
      call_id: or(fc.string({ minLength: 1 })),
      name: or(fc.string({ minLength: 1 })),
      arguments: or(fc.string()),
    }),
    fc.record({
      type: fc.constant("function_call_output"),
      call_id: or(fc.string({ minLength: 1 })),
      output: or(fc.string()),
    }),
    fc.record({ type: fc.constant("reasoning") }),
  );
  const body = fc.record(
    {
      model: or(
        fc.constantFrom("gpt-4o-mini", "openai:test-model", "re2@openai:test-model", "constructor", "toString", ""),
      ),
      input: or(fc.oneof(fc.string(), fc.array(item, { minLength: 1, maxLength: 4 }))),
      instructions: or(fc.string()),
      tools: or(
        fc.array(
          fc.record({
            type: fc.constant("function"),
            name: or(fc.string({ minLength: 1 })),
            parameters: or(fc.object()),
          }),
          { maxLength: 2 },
        ),
      ),
      tool_choice: or(fc.constantFrom("auto", "none", "required")),
      text: or(
        fc.record({
          format: or(
            fc.record({
              type: fc.constant("json_schema"),
              name: or(fc.string({ minLength: 1 })),
              schema: or(fc.object()),
            }),
          ),
        }),
      ),
      reasoning: or(fc.record({ effort: or(fc.constantFrom("low", "high")) })),
      max_output_tokens: or(fc.integer({ min: 1, max: 100 })),
      previous_response_id: or(fc.constantFrom("resp_x", "resp_", "resp___proto__", "resp_constructor")),
      store: or(fc.boolean()),
      stream: or(fc.boolean()),
    },
    { requiredKeys: ["input"] },
  );
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(body, async (b) => {
      const res = await f.proxy.app.fetch(
        new Request("http://127.0.0.1/v1/responses", {
          method: "POST",
          headers: { "content-type": "application/json", host: "127.0.0.1" },
          body: JSON.stringify(b),
        }),
        { incoming: { socket: { remoteAddress: "127.0.0.1" } } },
      );
      const out = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      assert.ok(res.status < 500, `${res.status} for ${JSON.stringify(b).slice(0, 300)}: ${out.slice(0, 300)}`);
      assert.ok(!out.includes(UPSTREAM_KEY));
      if (res.headers.get("content-type")?.includes("text/event-stream")) return;
      const json = JSON.parse(out);
      if (res.status >= 400) assert.equal(typeof json.error?.message, "string", out);
      else assert.equal(json.object, "response", out);
    }),
    { numRuns: 1500, seed: 20261207, interruptAfterTimeLimit: 45_000 },
  );
  console.log(`fuzz responses: statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  assert.equal(f.proxy.gate.active, 0);
  f.upstream.requests.length = 0;
});

test("a stored response is its key's only: another key's previous_response_id is a 404 like a missing one", async () => {
  const ALICE = "alice-key-0123456789abcdef";
  const BOB = "bob-key-0123456789abcdef00";
  const OPERATOR = "operator-key-0123456789abcd";
  const g = await startProxyFixture({
    reply: () => "secret plan",
    server: { keys: [ALICE, BOB], operatorKeys: [OPERATOR] },
  });
  try {
    const as = (key: string) => new OpenAI({ baseURL: g.proxy.url, apiKey: key, maxRetries: 0 });
    const mine = await as(ALICE).responses.create({ model: "gpt-4o-mini", input: "my plan?" });
    const follow = await as(ALICE).responses.create({
      model: "gpt-4o-mini",
      input: "more",
      previous_response_id: mine.id,
    });
    assert.equal(follow.status, "completed");
    assert.match(JSON.stringify(g.upstream.requests[1]!.body.messages), /secret plan/);
    const errors: unknown[] = [];
    for (const id of [mine.id, "resp_00000000-0000-0000-0000-000000000000", mine.id.slice(5)])
      errors.push(
        await as(BOB)
          .responses.create({ model: "gpt-4o-mini", input: "theirs?", previous_response_id: id })
          .then(
            () => assert.fail("another key's response was continued"),
            (e: any) => ({ status: e.status, code: e.code, message: e.message }),
          ),
      );
    // An item of alice's response, referenced by bob, is missing to him too.
    const item = mine.output[0]!.id!;
    for (const id of [item, item.replace(/_0$/, "_9"), "msg___proto___0"])
      errors.push(
        await as(BOB)
          .responses.create({ model: "gpt-4o-mini", input: [{ type: "item_reference", id }] })
          .then(
            () => assert.fail("another key's item was read"),
            (e: any) => ({ status: e.status, code: e.code, message: e.message }),
          ),
      );
    assert.deepEqual(errors[3], errors[4], "another key's item and a missing one are answered alike");
    assert.equal((errors[3] as { status: number }).status, 404);
    assert.deepEqual(errors[0], errors[1], "another key's id and a missing one are answered alike");
    assert.equal((errors[0] as { status: number }).status, 404);
    assert.equal(g.upstream.requests.length, 2, "bob's requests never ran");
    // The operator reads every tenant's traces, and may continue any stored response.
    const op = await as(OPERATOR).responses.create({ model: "gpt-4o-mini", input: "x", previous_response_id: mine.id });
    assert.equal(op.status, "completed");
  } finally {
    await g.close();
  }
});

test("responses and embeddings take concurrency slots like chat completions: over the limit is a 429", async () => {
  const g = await startProxyFixture({ reply: () => "slow", behaviour: { delayMs: 400 }, server: { maxConcurrent: 1 } });
  try {
    const send = (path: string, body: unknown) =>
      fetch(`${g.proxy.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const slow = send("/responses", { model: "gpt-4o-mini", input: "hi" });
    await new Promise((r) => setTimeout(r, 100));
    const refused = await send("/responses", { model: "gpt-4o-mini", input: "hi" });
    assert.equal(refused.status, 429);
    assert.ok(refused.headers.get("retry-after"));
    assert.equal((await send("/embeddings", { model: "text-embedding-3-small", input: "x" })).status, 429);
    assert.equal((await slow).status, 200);
    assert.equal(g.proxy.gate.active, 0);
  } finally {
    await g.close();
  }
});
