import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import OpenAI from "openai";
import { contentText } from "../core/messages.ts";
import type { Message, ToolCall } from "../core/types.ts";
import { startServer, type RunningServer } from "../server/start-server.ts";
import { DocumentIndex } from "../store/document-index/document-index.ts";
import { startOpenAITestServer, type OpenAITestServer } from "../testing/index.ts";
import { createLmxRuntime, type LmxRuntime } from "./create-lmx-runtime.ts";

/** Two lmx configurations, each with its own upstream, aliases, default model, index and memory store. */
const dir = mkdtempSync(join(tmpdir(), "lmx-two-runtimes-"));
const sides = ["a", "b"] as const;
const upstreams = {} as Record<(typeof sides)[number], OpenAITestServer>;
const runtimes = {} as Record<(typeof sides)[number], LmxRuntime>;
const question = "What colour is the sky here?";
const fact = { a: "In world A the sky is green.", b: "In world B the sky is purple." };

before(async () => {
  for (const side of sides) {
    upstreams[side] = await startOpenAITestServer({ reply: () => `answer from ${side}` });
    const folder = join(dir, side);
    mkdirSync(join(folder, "docs"), { recursive: true });
    writeFileSync(join(folder, "docs", "sky.md"), `# Sky\n\n${fact[side]}\n`);
    const index = DocumentIndex.open({ path: join(folder, "docs.sqlite") });
    await index.add([join(folder, "docs")]);
    index.close();
    const config = {
      defaultModel: `openai:${side}-model`,
      providers: { openai: { baseURL: upstreams[side].url, apiKey: `sk-${side}`, retries: 0 } },
      // Same alias name, different meaning; and one alias only this side has.
      aliases: {
        smart: side === "a" ? "re2@openai:a-model" : "self-refine(rounds=1)@openai:b-model",
        [`only-${side}`]: "smart",
      },
      index: { path: "docs.sqlite" },
      memory: { path: "lessons.sqlite" },
      indexes: { docs: "docs.sqlite" },
      memoryStores: { [`${side}-lessons`]: "lessons.sqlite" },
    };
    writeFileSync(join(folder, "lmx.config.json"), JSON.stringify(config));
    // No process.env: everything a runtime knows comes from its config and the env it is given.
    runtimes[side] = createLmxRuntime(join(folder, "lmx.config.json"), {
      env: { XDG_STATE_HOME: join(folder, "state") },
    });
  }
});
after(async () => {
  for (const side of sides) {
    await runtimes[side].close();
    await upstreams[side].close();
  }
  rmSync(dir, { recursive: true, force: true });
});

test("two runtimes in one process each resolve their own aliases and default model", () => {
  const { a, b } = runtimes;
  assert.equal(a.lm("smart").id, "re2@openai:a-model");
  assert.equal(b.lm("smart").id, "self-refine(rounds=1)@openai:b-model");
  assert.equal(a.lm("only-a").id, "re2@openai:a-model", "an alias of an alias");
  assert.throws(() => a.lm("only-b"), /unknown technique "only-b"/);
  assert.throws(() => b.lm("only-a"), /unknown technique "only-a"/);
  // Technique-only specs run on each runtime's own default model.
  assert.equal(a.lm("re2").id, "re2@openai:a-model");
  assert.equal(b.lm("re2").id, "re2@openai:b-model");
  assert.equal(a.lm("openai:x", "re2").id, "re2@openai:x", "a technique on top of a model");
});

test("each runtime retrieves from its own index and answers through its own upstream", async () => {
  for (const side of sides) {
    const before = upstreams[side].requests.length;
    const other = upstreams[side === "a" ? "b" : "a"].requests.length;
    const result = await runtimes[side].lm("retrieve").complete({ messages: [{ role: "user", content: question }] });
    assert.equal(contentText(result.choices[0]!.message.content), `answer from ${side}`);
    const sent = upstreams[side].requests.slice(before);
    assert.equal(sent.length, 1);
    const prompt = JSON.stringify(sent[0]!.body);
    assert.match(prompt, new RegExp(fact[side]));
    assert.doesNotMatch(prompt, new RegExp(fact[side === "a" ? "b" : "a"]));
    assert.equal(upstreams[side === "a" ? "b" : "a"].requests.length, other, "the other upstream is not called");
  }
});

test("stores, grants and MCP servers are each runtime's own", () => {
  for (const side of sides) {
    const rt = runtimes[side];
    assert.equal(rt.host.storeLocation("memory").path, join(dir, side, "lessons.sqlite"));
    assert.equal(rt.host.storeLocation("index").path, join(dir, side, "docs.sqlite"));
    // A bare name lives in this runtime's state folder (from its env, not the process's).
    assert.equal(rt.host.storeLocation("index", "notes").path, join(dir, side, "state", "lmx", "notes.sqlite"));
    assert.deepEqual(Object.keys(rt.grants.memoryStores ?? {}), [`${side}-lessons`]);
    assert.equal(rt.grants.indexes?.docs, join(dir, side, "docs.sqlite"));
  }
});

test("tool exchanges saved by one runtime are not restored by another", () => {
  const call: ToolCall = { id: "w-1", type: "function", function: { name: "get_weather", arguments: "{}" } };
  const conversation: Message[] = [{ role: "user", content: "weather?" }];
  const exchange: Message[] = [{ role: "tool", tool_call_id: "own-1", content: "42" }];
  runtimes.a.host.toolExchanges.save({ conversation, returned: [call], exchange });
  const echoed: Message[] = [...conversation, { role: "assistant", content: null, tool_calls: [call] }];
  assert.equal(runtimes.a.host.toolExchanges.restore(echoed).length, 3);
  assert.deepEqual(runtimes.b.host.toolExchanges.restore(echoed), echoed);
});

test("two proxies in one process, one per runtime: each serves its own aliases and granted index", async () => {
  const servers: Record<string, RunningServer> = {};
  try {
    for (const side of sides) servers[side] = await startServer({ runtime: runtimes[side], port: 0 });
    for (const side of sides) {
      const client = new OpenAI({ baseURL: servers[side]!.url, apiKey: "none", maxRetries: 0 });
      const models = (await client.models.list()).data.map((m) => m.id);
      assert.ok(models.includes(`only-${side}`));
      assert.ok(!models.includes(`only-${side === "a" ? "b" : "a"}`));
      const before = upstreams[side].requests.length;
      const reply = await client.chat.completions.create({
        model: "retrieve(index=docs)",
        messages: [{ role: "user", content: question }],
      });
      assert.equal(reply.choices[0]!.message.content, `answer from ${side}`);
      const prompt = JSON.stringify(upstreams[side].requests.slice(before).map((r) => r.body));
      assert.match(prompt, new RegExp(fact[side]));
      // The other side's memory store is not granted here.
      await assert.rejects(
        client.chat.completions.create({
          model: `memory(store=${side === "a" ? "b" : "a"}-lessons)`,
          messages: [{ role: "user", content: question }],
        }),
        (e: { status?: number }) => e.status === 400,
      );
    }
  } finally {
    for (const server of Object.values(servers)) await server.close();
  }
});

test("each runtime carries its own config's limits, in the units the code takes", () => {
  const make = (extra: object) => {
    const folder = mkdtempSync(join(dir, "limits-"));
    writeFileSync(join(folder, "lmx.config.json"), JSON.stringify(extra));
    return createLmxRuntime(join(folder, "lmx.config.json"), { env: { XDG_STATE_HOME: join(folder, "state") } });
  };
  const strict = make({
    budget: { calls: 3, cost_usd: 0.5 },
    traces: { capacity: 10, maxAgeDays: 2 },
    sandbox: { maxConcurrent: 1, maxMemoryMb: 128 },
  });
  const open = make({});
  try {
    assert.deepEqual(strict.limits.budget, { calls: 3, cost_usd: 0.5 });
    assert.equal(strict.limits.traces.capacity, 10);
    assert.equal(strict.limits.traces.maxAgeMs, 2 * 24 * 3600 * 1000);
    assert.deepEqual(strict.limits.sandbox, { maxConcurrent: 1, maxMemoryBytes: 128 * 1024 * 1024 });
    assert.deepEqual(open.limits.budget, {});
    assert.equal(open.limits.traces.capacity, undefined, "unset: the store's own default");
    assert.deepEqual(open.limits.sandbox, {});
  } finally {
    void strict.close();
    void open.close();
  }
});
