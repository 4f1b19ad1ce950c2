import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { cleanEnv, runCli } from "../cli/testing/run-cli.ts";
import { configSchema } from "../config/config-schema.ts";
import { contentText } from "../core/messages.ts";
import type { ChatRequest } from "../core/types.ts";
import { createLmxRuntime } from "../runtime/create-lmx-runtime.ts";
import { feedback } from "../techniques/beyond-context/memory-feedback.ts";
import { startOpenAITestServer } from "../testing/openai-test-server.ts";
import { createTestDatabase } from "./postgres/testing/test-database.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-pg-memory-index-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh database for one test, dropped after it; undefined (the test skips) when no PostgreSQL answers. */
async function database(t: { after(fn: () => Promise<void>): void }) {
  const db = await createTestDatabase();
  if (db) t.after(() => db.drop());
  return db;
}

test("with LMX_STORE on PostgreSQL, `lmx index add` fills the database's index and `lmx ask -t retrieve` answers from it; no index file is made", async (t) => {
  const db = await database(t);
  if (!db) return t.skip("no PostgreSQL");
  const cwd = join(dir, "cli");
  mkdirSync(join(cwd, "docs"), { recursive: true });
  writeFileSync(join(cwd, "docs", "billing.md"), "# Billing\n\nInvoices are kept for seven years.\n");
  writeFileSync(join(cwd, "docs", "travel.md"), "# Travel\n\nTrains are booked two weeks ahead.\n");
  const server = await startOpenAITestServer({ reply: () => "Seven years [1]." });
  t.after(() => server.close());
  const env = cleanEnv({ OPENAI_BASE_URL: server.url, LMX_STORE: db.url });
  const add = await runCli(["index", "add", "docs"], { cwd, env });
  assert.equal(add.code, 0, add.stderr);
  assert.match(add.stdout, /^postgres:\/\/postgres@[^ ]+ \(document index "index"\): 2 added/);
  const ask = await runCli(["ask", "-m", "openai:test-model", "-t", "retrieve(k=2)", "How long are invoices kept?"], {
    cwd,
    env,
  });
  assert.equal(ask.code, 0, ask.stderr);
  assert.equal(ask.stdout.trim(), "Seven years [1].");
  const sent = server.requests.find((r) => r.path === "/v1/chat/completions")!;
  assert.match(
    sent.body.messages.at(-1).content,
    /\[1\] docs\/billing\.md:1-3 \(Billing\)\n# Billing\n\nInvoices are kept/,
  );
  assert.equal(existsSync(join(cwd, ".state", "lmx", "index.sqlite")), false);

  // A file named with --index is still that SQLite file, whatever the store.
  const onFile = await runCli(["index", "add", "--index", "./local.sqlite", "docs"], { cwd, env });
  assert.equal(onFile.code, 0, onFile.stderr);
  assert.equal(existsSync(join(cwd, "local.sqlite")), true);
  const named = await runCli(["index", "stats", "--json", "--index", "other"], { cwd, env });
  assert.equal(named.code, 0, named.stderr);
  assert.equal(JSON.parse(named.stdout).chunks, 0, "an unknown name on PostgreSQL is an empty index");
});

test("the memory technique learns a lesson through one runtime; a second runtime on the same database recalls it", async (t) => {
  const db = await database(t);
  if (!db) return t.skip("no PostgreSQL");
  const lesson = "Convert every quantity to the same unit before adding them.";
  const server = await startOpenAITestServer({
    reply: (body) => {
      const last = contentText((body as ChatRequest).messages.at(-1)!.content);
      return /What general lesson would have avoided this mistake\?/.test(last) ? `Lesson: "${lesson}"` : "302";
    },
  });
  t.after(() => server.close());
  const runtime = (state: string) => {
    const env = { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: "test", LMX_STORE: db.url, XDG_STATE_HOME: state };
    return createLmxRuntime({ ...configSchema.parse({}), env }, { env, cwd: dir });
  };
  const question: ChatRequest = { messages: [{ role: "user", content: "How many grams are 2 kg and 300 g?" }] };

  const first = runtime(join(dir, "first"));
  t.after(() => first.close());
  const lm = first.lm("memory@openai:test-model");
  const learned = await feedback(lm, { request: question, answer: "302", gold: "2300" }, first.runContext());
  assert.equal(learned?.text, lesson);

  const second = runtime(join(dir, "second"));
  t.after(() => second.close());
  const before = server.requests.length;
  await second
    .lm("memory@openai:test-model")
    .complete(
      { messages: [{ role: "user", content: "How many grams are 1 kg and 50 g together?" }] },
      second.runContext(),
    );
  const sent = server.requests.slice(before).find((r) => r.path === "/v1/chat/completions")!;
  assert.match(contentText(sent.body.messages[0].content), new RegExp(`1\\. ${lesson.replace(/\./g, "\\.")}`));
  for (const state of ["first", "second"]) assert.equal(existsSync(join(dir, state, "lmx", "memory.sqlite")), false);
});
