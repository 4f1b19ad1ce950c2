import assert from "node:assert/strict";
import { test } from "node:test";
import { startProxyFixture } from "../testing/proxy-fixture.ts";
import { defaultRegistry } from "../../techniques/registry.ts";
import { isPlainModelName, plainModelRoutes } from "./plain-model-routes.ts";

const registry = defaultRegistry();

test("existing code that names a plain model works by changing only its base URL", async () => {
  const f = await startProxyFixture({ reply: () => "ok" });
  try {
    const r = await f.client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
    });
    assert.equal(r.choices[0]!.message.content, "ok");
    assert.equal(r.model, "gpt-4o-mini", "the answer names the model the client asked for");
    assert.equal(f.upstream.requests[0]!.body.model, "gpt-4o-mini", "passed through to the default endpoint");
  } finally {
    await f.close();
  }
});

test("routes map names and globs to specs, aliases and plain upstream models; /v1/models lists them", async () => {
  const f = await startProxyFixture({
    reply: () => "ok",
    aliases: { voted: "majority-vote(n=2)@openai:test-model" },
    server: {
      routes: {
        "gpt-4o": "voted",
        "claude-*": "openai:test-model",
        "gpt-4.1": "upstream-name",
        "o?": "majority-vote(n=3)@openai:test-model",
      },
    },
  });
  try {
    const ask = (model: string) =>
      f.client.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] });
    await ask("gpt-4o");
    assert.equal(f.upstream.requests.length, 2, "the alias's technique ran (two samples)");
    await ask("claude-3-5-sonnet");
    assert.equal(f.upstream.requests.at(-1)!.body.model, "test-model");
    await ask("gpt-4.1");
    assert.equal(f.upstream.requests.at(-1)!.body.model, "upstream-name");
    const before = f.upstream.requests.length;
    await ask("o3");
    assert.equal(f.upstream.requests.length - before, 3);
    const models = await f.client.models.list();
    const ids = models.data.map((m) => m.id);
    for (const id of ["gpt-4o", "gpt-4.1", "voted"]) assert.ok(ids.includes(id), id);
    assert.ok(!ids.includes("claude-*"), "globs are no model ids");
  } finally {
    await f.close();
  }
});

test("a plain name in a technique's model option is routed like the request's model", async () => {
  const f = await startProxyFixture({ reply: () => "ok", server: { routes: { critic: "upstream-critic" } } });
  try {
    await f.client.chat.completions.create({
      model: "rephrase-and-respond(mode=two-step, rephraser=gpt-4o-mini)@openai:test-model",
      messages: [{ role: "user", content: "hi" }],
    });
    await f.client.chat.completions.create({
      model: "rephrase-and-respond(mode=two-step, rephraser=critic)@openai:test-model",
      messages: [{ role: "user", content: "hi" }],
    });
    assert.deepEqual(f.upstream.requests.map((r) => r.body.model).sort(), [
      "gpt-4o-mini",
      "test-model",
      "test-model",
      "upstream-critic",
    ]);
  } finally {
    await f.close();
  }
});

test("server.defaultTechnique runs under plain names no route matches, not under specs", async () => {
  const f = await startProxyFixture({ reply: () => "ok", server: { defaultTechnique: "majority-vote(n=3)" } });
  try {
    await f.client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
    assert.equal(f.upstream.requests.length, 3);
    assert.ok(f.upstream.requests.every((r) => r.body.model === "gpt-4o-mini"));
    await f.client.chat.completions.create({ model: "openai:test-model", messages: [{ role: "user", content: "hi" }] });
    assert.equal(f.upstream.requests.length, 4);
  } finally {
    await f.close();
  }
});

test("a plain name cannot escape allowProviders, and spec syntax is parsed as a spec", async () => {
  const f = await startProxyFixture({ reply: () => "ok", server: { allowProviders: ["anthropic"] } });
  try {
    const ask = (model: string) =>
      f.client.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] });
    await assert.rejects(
      ask("gpt-4o-mini"),
      (e: any) => e.status === 400 && /does not let clients name openai/.test(e.message),
    );
    await assert.rejects(ask("llama:/etc/passwd"), (e: any) => e.status === 400);
    await assert.rejects(ask("replay:../secrets.jsonl"), (e: any) => e.status === 400);
    assert.equal(f.upstream.requests.length, 0);
  } finally {
    await f.close();
  }
});

test("route(): plain names only; techniques and their typos stay techniques; nothing without a default provider", () => {
  const r = plainModelRoutes({ routes: { "a-*": "openai:x" }, aliases: {}, defaultModel: "openai:m", registry });
  assert.deepEqual(r.route("gpt-4o-mini"), { model: "openai:gpt-4o-mini" });
  assert.deepEqual(r.route("a-b"), { spec: "openai:x" });
  assert.equal(r.route("self-consistency"), undefined);
  const all = plainModelRoutes({ routes: { "*": "openai:x" }, aliases: {}, defaultModel: "openai:m", registry });
  assert.equal(all.route("mcts"), undefined, "a catch-all glob leaves technique names alone");
  assert.deepEqual(all.route("mcts-model"), { spec: "openai:x" });
  assert.equal(r.route("self-consistensy"), undefined, "a typo keeps the technique's error");
  for (const spec of [
    "openai:gpt-4o",
    "x@openai:y",
    "a>b",
    "cot(n=1)",
    "../../etc/passwd",
    "/etc/passwd",
    "a b",
    "$(id)",
    "",
  ])
    assert.equal(r.route(spec), undefined, spec);
  assert.equal(isPlainModelName("x".repeat(257)), false);
  const none = plainModelRoutes({ routes: {}, aliases: {}, registry });
  assert.equal(none.route("gpt-4o"), undefined);
  const viaAlias = plainModelRoutes({
    routes: {},
    aliases: { main: "self-consistency@anthropic:claude" },
    defaultModel: "main",
    registry,
  });
  assert.deepEqual(viaAlias.route("claude-x"), { model: "anthropic:claude-x" });
  assert.throws(
    () => plainModelRoutes({ routes: {}, aliases: {}, registry, defaultTechnique: "mcts@openai:x" }),
    /techniques only/,
  );
});

test("a route named like a technique's typo (r1 next to re2) is the operator's model, while the unrouted typo stays an error", async () => {
  const f = await startProxyFixture({ reply: () => "ok", server: { routes: { r1: "deepseek-r1" } } });
  try {
    const r = await f.client.chat.completions.create({ model: "r1", messages: [{ role: "user", content: "hi" }] });
    assert.equal(r.choices[0]!.message.content, "ok");
    assert.equal(f.upstream.requests.at(-1)!.body.model, "deepseek-r1");
    await assert.rejects(
      f.client.chat.completions.create({ model: "re3", messages: [{ role: "user", content: "hi" }] }),
      (e: { status?: number; message?: string }) => e.status === 400 && /re2/.test(String(e.message)),
    );
    assert.equal(f.upstream.requests.length, 1, "the typo never reached the upstream");
  } finally {
    await f.close();
  }
});
