import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { after, test } from "node:test";
import { Command } from "commander";
import OpenAI from "openai";
import type { CliIO } from "../cli/cli-io.ts";
import { configureServe } from "../cli/commands/serve.ts";
import { createRunContext } from "../core/context.ts";
import { ConfigurationError } from "../core/errors/configuration-error.ts";
import { startOpenAITestServer } from "../testing/openai-test-server.ts";
import { openStores } from "./open-stores.ts";
import { PgDatabase } from "./postgres/pg-database.ts";
import { createTestDatabase } from "./postgres/testing/test-database.ts";
import { storeUrl } from "./store-url.ts";

// Made before any test is declared, so its cleanup is declared with the others.
const database = await createTestDatabase();
const dir = mkdtempSync(join(tmpdir(), "lmx-open-stores-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const locations = (name: string) => ({
  cache: join(dir, name, "cache.sqlite"),
  traces: join(dir, name, "traces.sqlite"),
  evalResults: join(dir, name, "eval.sqlite"),
  memory: (store = "memory") => join(dir, name, `${store}.memory.sqlite`),
  index: (store = "index") => join(dir, name, `${store}.sqlite`),
});

test("with no store setting every store is its SQLite file, and no PostgreSQL is needed", async () => {
  const where = locations("plain");
  const stores = openStores(undefined, where);
  assert.equal(stores.backend, "sqlite");
  await stores.migrate();
  const cache = stores.cache();
  await cache.set("k", {
    choice: { index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" },
    model: "m",
    prompt_tokens: 1,
    completion_tokens: 1,
    cached_tokens: 0,
    cost_usd: 0,
  });
  await cache.close();
  const traces = stores.traces();
  await traces.add({ span: createRunContext({ name: "r" }).span, model: "m", stream: false });
  await traces.close();
  const results = stores.evalResults();
  await results.close();
  stores.memory("notes").close();
  stores.index().close();
  await stores.close();
  const files = [where.cache, where.traces, where.evalResults, where.memory("notes"), where.index()];
  for (const file of files) assert.ok(existsSync(file), `${file} was made`);
});

test("the store setting: LMX_STORE first, then the config; anything but postgres:// is refused without its password", () => {
  assert.equal(storeUrl({ env: {}, config: {} }), undefined);
  assert.equal(storeUrl({ env: { LMX_STORE: " " }, config: { store: "postgres://c/db" } }), "postgres://c/db");
  assert.equal(
    storeUrl({ env: { LMX_STORE: "postgres://e/db" }, config: { store: "postgres://c/db" } }),
    "postgres://e/db",
  );
  assert.throws(
    () => openStores("mysql://root:hunter2@db/lmx", locations("bad")),
    (e) => ConfigurationError.isInstance(e) && /not supported/.test(e.message) && !/hunter2/.test(e.message),
  );
});

test("lmx serve with a store that does not answer stops at start with one clear error, no password in it", async () => {
  const config = join(dir, "down.config.json");
  writeFileSync(config, JSON.stringify({ store: "postgres://lmx:hunter2@127.0.0.1:1/lmx" }));
  const io = { stdin: process.stdin, stdout: new PassThrough(), stderr: new PassThrough() } as unknown as CliIO;
  const program = new Command("lmx").option("-c, --config <file>").exitOverride();
  configureServe(program.command("serve"), program, io, new EventEmitter());
  await assert.rejects(
    program.parseAsync(["node", "lmx", "serve", "--port", "0", "--model", "openai:m", "--config", config]),
    (e) =>
      ConfigurationError.isInstance(e) &&
      /^response cache at postgres:\/\/lmx:\*\*\*@127\.0\.0\.1:1\/lmx: PostgreSQL failed to migrate its tables/.test(
        e.message,
      ) &&
      !e.message.includes("hunter2"),
  );
});

if (database) {
  after(() => database.drop());

  test("on PostgreSQL, a memory store learned on one instance is searched on another; stores migrate at once", async () => {
    const [one, two] = [openStores(database.url, locations("pg1")), openStores(database.url, locations("pg2"))];
    try {
      assert.equal(one.backend, "postgres");
      assert.doesNotMatch(one.where, /@.*:.*@/);
      // Six instances starting at once on the fresh database: all succeed, each store's schema made once.
      const more = Array.from({ length: 4 }, (_, i) => openStores(database.url, locations(`pg${i + 3}`)));
      await Promise.all([one, two, ...more].map((s) => s.migrate()));
      await Promise.all(more.map((s) => s.close()));
      const db = new PgDatabase({ url: database.url });
      const { rows } = await db.query("test", "read", "SELECT component, version FROM lmx_schema ORDER BY component");
      await db.close();
      assert.deepEqual(
        rows.map((r) => `${r.component}:${r.version}`),
        ["cache:1", "eval:2", "index:1", "memory:1", "traces:1"],
      );
      const lesson = await one
        .memory("team")
        .add({ text: "Always state the units of a numeric answer.", tags: ["units"] });
      const hits = await two.memory("team").search("what units for the answer?");
      assert.deepEqual(
        hits.map((h) => h.id),
        [lesson.id],
      );
      assert.equal(await two.memory("other").count(), 0);
      assert.equal(existsSync(locations("pg1").cache), false, "nothing was written to SQLite files");
    } finally {
      await one.close();
      await two.close();
    }
  });

  test("two `lmx serve` instances on one PostgreSQL store share the response cache and the traces", async () => {
    const upstream = await startOpenAITestServer({ reply: () => "shared answer" });
    const config = join(dir, "lmx.config.json");
    writeFileSync(
      config,
      JSON.stringify({
        providers: { openai: { baseURL: upstream.url, apiKey: "sk-test" } },
        cache: { enabled: true },
        store: database.url,
      }),
    );
    const instances = await Promise.all([startServe(config), startServe(config)]);
    try {
      const [a, b] = instances.map((i) => new OpenAI({ baseURL: i.url, apiKey: "none", maxRetries: 0 }));
      const ask = { model: "openai:test-model", messages: [{ role: "user" as const, content: "cached?" }], seed: 7 };
      const first = await a!.chat.completions.create(ask);
      const second = await b!.chat.completions.create(ask);
      assert.equal(first.choices[0]!.message.content, "shared answer");
      assert.equal(second.choices[0]!.message.content, "shared answer");
      assert.equal(upstream.requests.length, 1, "instance B replayed what instance A stored");
      // Traces are written behind the response: poll B's listing for A's trace.
      let ids: string[] = [];
      for (let i = 0; i < 100 && ids.length < 2; i++) {
        const listed = (await (await fetch(`${instances[1]!.url}/traces`)).json()) as { data: { id: string }[] };
        ids = listed.data.map((t) => t.id);
        if (ids.length < 2) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(ids.length, 2, "B lists both requests' traces, A's included");
    } finally {
      for (const i of instances) await i.stop();
      await upstream.close();
    }
  });
}

async function startServe(config: string): Promise<{ url: string; stop(): Promise<void> }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  stdout.on("data", (d) => (out += d));
  stderr.resume();
  const io = { stdin: process.stdin, stdout, stderr } as unknown as CliIO;
  const signals = new EventEmitter();
  const program = new Command("lmx").option("-c, --config <file>").exitOverride();
  configureServe(program.command("serve"), program, io, signals);
  const running = program.parseAsync(["node", "lmx", "serve", "--port", "0", "--config", config]);
  let url: string | undefined;
  for (let i = 0; i < 500 && !url; i++) {
    url = /listening on (\S+)/.exec(out)?.[1];
    if (!url) await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(url, `no URL printed: ${out}`);
  return {
    url,
    async stop() {
      signals.emit("SIGTERM");
      await running;
    },
  };
}
