import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { startOpenAITestServer } from "../../testing/openai-test-server.ts";
import { cleanEnv, runCli } from "../testing/run-cli.ts";
import { runMain } from "../testing/run-main.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-cli-memory-"));
const server = await startOpenAITestServer({
  reply: (body) =>
    /Lessons learned[^]*1\. Convert kg and grams to one unit first\./.test(String(body.messages[0]?.content))
      ? "2300 grams."
      : "302.",
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `lmx …` in this process with captured output. */
const lmx = (...args: string[]) => runMain(args);

test("lmx memory add, list, search and forget", async () => {
  const store = join(dir, "lessons.sqlite");
  assert.match((await lmx("memory", "list", "--store", store)).stdout, /no lessons yet/);
  const add = await lmx(
    "memory",
    "add",
    "Always",
    "convert",
    "units",
    "first.",
    "--tag",
    "units",
    "math",
    "--question",
    "2 kg + 300 g?",
    "--store",
    store,
  );
  assert.equal(add.code, 0, add.stderr);
  assert.match(add.stdout, /^lesson #1 in /);
  await lmx("memory", "add", "Check whether the year is a leap year.", "--store", store);
  const list = await lmx("memory", "list", "--store", store);
  assert.match(
    list.stdout,
    /^#2 {2}\d{4}-\d\d-\d\d {2}used 0× *\n {3}Check whether the year is a leap year\.\n#1 {2}\d{4}-\d\d-\d\d {2}used 0× {2}\[units, math\]\n {3}Always convert units first\.\n$/,
  );
  const json = JSON.parse((await lmx("memory", "list", "--json", "--tag", "units", "--store", store)).stdout);
  assert.deepEqual(
    json.map((l: { id: number; question: string; source: string }) => [l.id, l.question, l.source]),
    [[1, "2 kg + 300 g?", "manual"]],
  );
  const search = await lmx("memory", "search", "how", "many", "units", "--store", store);
  assert.match(search.stdout, /^#1 .*\n {3}Always convert units first\. {2}\(score [\d.e-]+ bm25\)\n$/);
  assert.equal((await lmx("memory", "forget", "2", "--store", store)).stdout, "forgot lesson #2\n");
  const again = await lmx("memory", "forget", "2", "--store", store);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /no lesson #2/);
  assert.equal(JSON.parse((await lmx("memory", "list", "--json", "--store", store)).stdout).length, 1);
});

test("end to end through the real binary: a lesson added by hand is recalled by lmx ask -t memory", async () => {
  const store = join(dir, "e2e.sqlite");
  await lmx("memory", "add", "Convert kg and grams to one unit first.", "--store", store);
  const env = cleanEnv({ OPENAI_BASE_URL: server.url });
  const ask = await runCli(
    [
      "ask",
      "-m",
      "openai:test-model",
      "-t",
      `memory(store=${JSON.stringify(store)})`,
      "How many grams are 2 kg and 300 g?",
    ],
    { cwd: dir, env },
  );
  assert.equal(ask.code, 0, ask.stderr);
  assert.equal(ask.stdout.trim(), "2300 grams.");
  const list = JSON.parse((await lmx("memory", "list", "--json", "--store", store)).stdout);
  assert.equal(list[0].uses, 1, "the recall is counted");
});

test("exit codes: forgetting in a store that does not exist is a failure (1)", async () => {
  const run = await runMain(["memory", "forget", "3", "-s", join(dir, "none.sqlite")]);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /^lmx: memory store .*none\.sqlite does not exist/);
});
