import assert from "node:assert/strict";
import type { SpanJSON } from "../../trace/span.ts";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { EvalStore } from "../../eval/eval-store.ts";
import { startOpenAITestServer, type OpenAITestServer } from "../../testing/index.ts";
import { cleanEnv, runCli } from "../testing/run-cli.ts";
import { runMain } from "../testing/run-main.ts";
import { sharedReplay } from "../../testing/shared-replay.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-trace-cli-"));
const shared = sharedReplay("cruxeval-output.codellama-7b.bank.jsonl");
const bankPath = shared.path;
let server: OpenAITestServer;
before(async () => {
  server = await startOpenAITestServer({
    reply: (_r, i) => (i % 3 === 2 ? "Hmm. The answer is 5." : "Two and two. The answer is 4."),
  });
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test("lmx ask saves its trace; lmx trace prints the tree (full id, short prefix or JSON) and lists recent traces", async () => {
  const env = cleanEnv({ OPENAI_BASE_URL: server.url });
  const ask = await runCli(
    ["ask", "-m", "openai:test-model", "-t", "self-consistency(n=3)", "--no-stream", "--trace", "What is 2+2?"],
    { env, cwd: dir },
  );
  assert.equal(ask.code, 0, ask.stderr);
  const id = /^trace: ([0-9a-f-]{36})$/m.exec(ask.stderr)?.[1];
  assert.ok(id, `no trace id in: ${ask.stderr}`);

  const shown = await runCli(["trace", id.slice(0, 8)], { env, cwd: dir });
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, new RegExp(`^trace ${id} · self-consistency\\(n=3\\)@openai:test-model`));
  assert.match(shown.stdout, /▸ self-consistency .*\[1 calls/);
  assert.match(shown.stdout, /◦ openai:test-model /);
  assert.match(shown.stdout, /prompt: user: What is 2\+2\?/);
  assert.match(shown.stdout, /→ \[2\] Hmm\. The answer is 5\./);
  assert.match(shown.stdout, /· vote \{"groups":\[\{"answer":"4","count":2/);

  const json = await runCli(["trace", "--json", id], { env, cwd: dir });
  const stored = JSON.parse(json.stdout);
  assert.equal(stored.id, id);
  assert.equal(stored.root.children[0].name, "self-consistency");
  assert.equal(stored.usage.calls, 1);

  const list = await runCli(["trace"], { env, cwd: dir });
  assert.match(list.stdout, new RegExp(`^${id}  .* ok +1 calls .*self-consistency\\(n=3\\)@openai:test-model$`, "m"));
});

shared.test("lmx trace finds a question's trace in the eval results; an unknown id is a one-line error", async () => {
  const data = join(dir, "three.jsonl");
  writeFileSync(data, readFileSync(bankPath, "utf8").split("\n").slice(0, 3).join("\n") + "\n");
  const env = cleanEnv();
  const evaluated = await runCli(
    ["eval", "--data", data, "--model", `replay:${bankPath}`, "-t", "self-consistency(n=4)", "--answer", "literal"],
    { env, cwd: dir },
  );
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const store = EvalStore.open({ path: join(dir, ".state", "lmx", "eval.sqlite") });
  const stored: [string, SpanJSON][] = [];
  const key = {
    dataset: sha256(data),
    model: `replay:${bankPath}`,
    technique: "self-consistency(n=4, answer=literal)",
  };
  for await (const entry of store.traces(key)) stored.push(entry);
  const [questionId, trace] = stored[0]!;
  await store.close();
  assert.equal(questionId, "sample_0");

  const shown = await runCli(["trace", trace.trace_id], { env, cwd: dir });
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /^▸ eval sample_0 /);
  assert.match(shown.stdout, /◦ replay:.*cruxeval/);

  const missing = await runCli(["trace", "ffffffff"], { env, cwd: dir });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^lmx: no trace "ffffffff" in .*traces\.sqlite and .*eval\.sqlite\n$/);
});

function sha256(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

test("exit codes: no trace store is a failure (1), a bad --limit is bad usage (2)", async () => {
  const none = await runMain(["trace", "--store", join(dir, "none.sqlite")]);
  assert.equal(none.code, 1, none.stderr);
  assert.match(none.stderr, /^lmx: trace store .*none\.sqlite does not exist/);
  const bad = await runMain(["trace", "--limit", "x"]);
  assert.equal(bad.code, 2);
});
