import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startOpenAITestServer, type OpenAITestServer } from "../../testing/index.ts";
import { cleanEnv, runCli } from "../testing/run-cli.ts";

let server: OpenAITestServer;
before(async () => {
  // Every third sample disagrees, so a vote has something to do.
  server = await startOpenAITestServer({
    reply: (_r, i) => (i % 3 === 2 ? "Hmm. The answer is 5." : "Let me see: 2+2. The answer is 4."),
  });
});
after(() => server.close());

test("lmx ask --json prints the answer with the usage the server reported", async () => {
  const before = server.reported.length;
  const run = await runCli(["ask", "--model", "openai:test-model", "--json", "What is 2+2?"], {
    env: cleanEnv({ OPENAI_BASE_URL: server.url }),
  });
  assert.equal(run.code, 0, run.stderr);
  const out = JSON.parse(run.stdout);
  assert.equal(out.answer, "4");
  assert.equal(out.text, "Let me see: 2+2. The answer is 4.");
  assert.equal(out.finish_reason, "stop");
  const reported = server.reported.slice(before);
  assert.equal(reported.length, 1);
  assert.equal(out.usage.prompt_tokens, reported[0]!.prompt_tokens);
  assert.equal(out.usage.completion_tokens, reported[0]!.completion_tokens);
  assert.equal(out.usage.total_tokens, reported[0]!.prompt_tokens + reported[0]!.completion_tokens);
  assert.equal(out.usage.calls, 1);
  assert.equal(typeof out.usage.cost_usd, "number");
});

test("lmx ask --technique votes over samples and accounts every internal call", async () => {
  const before = server.reported.length;
  const run = await runCli(
    ["ask", "-m", "openai:test-model", "-t", "self-consistency(n=6)", "--json", "What is 2+2?"],
    {
      env: cleanEnv({ OPENAI_BASE_URL: server.url }),
    },
  );
  assert.equal(run.code, 0, run.stderr);
  const out = JSON.parse(run.stdout);
  assert.equal(out.answer, "4");
  const reported = server.reported.slice(before);
  assert.equal(
    out.usage.completion_tokens,
    reported.reduce((s, r) => s + r.completion_tokens, 0),
  );
  assert.equal(out.usage.calls, reported.length);
  assert.equal(out.model, "self-consistency(n=6)@openai:test-model");
});

test("the question can come from stdin, and the answer streams to stdout", async () => {
  const run = await runCli(["ask", "-m", "openai:test-model"], {
    env: cleanEnv({ OPENAI_BASE_URL: server.url }),
    stdin: "What is 2+2?\n",
  });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /The answer is [45]\.\n$/);
  const last = server.requests.at(-1)!.body as { messages: { content: string }[]; stream?: boolean };
  assert.equal(last.messages.at(-1)!.content, "What is 2+2?");
  assert.equal(last.stream, true);
});

test("an unknown technique is a one-line error with suggestions and exit code 2", async () => {
  const run = await runCli(["ask", "-m", "openai:test-model", "-t", "self-consistncy(n=5)", "hi"], {
    env: cleanEnv({ OPENAI_BASE_URL: server.url }),
  });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /^lmx: unknown technique "self-consistncy"; did you mean "self-consistency"\?/);
  assert.equal(run.stdout, "");
});

test("an alias from lmx.config.json names a technique over a model", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lmx-cli-"));
  writeFileSync(
    join(dir, "lmx.config.json"),
    JSON.stringify({ aliases: { smart: "self-consistency(n=3)@openai:test-model" } }),
  );
  const run = await runCli(["ask", "-m", "smart", "--json", "What is 2+2?"], {
    env: cleanEnv({ OPENAI_BASE_URL: server.url }),
    cwd: dir,
  });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout).model, "self-consistency(n=3)@openai:test-model");
});

test("a failing upstream is a one-line error naming it", async () => {
  const run = await runCli(["ask", "-m", "openai:test-model", "hi"], {
    env: cleanEnv({ OPENAI_BASE_URL: "http://127.0.0.1:1/v1", LMX_CONFIG: "" }),
  });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^lmx: openai .*connection/);
  assert.equal(run.stderr.trim().split("\n").length, 1);
});

test("offline, plain lmx ask ends quickly with one line naming the alternatives", async () => {
  const cache = mkdtempSync(join(tmpdir(), "lmx-models-"));
  const run = await runCli(["ask", "hello"], {
    env: cleanEnv({ LMX_HF_ENDPOINT: "http://127.0.0.1:1", LMX_MODELS_DIR: cache }),
    timeoutMs: 10_000,
  });
  assert.equal(run.code, 1, `exit ${run.code}: ${run.stderr}`);
  const lines = run.stderr.trim().split("\n");
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0]!, /^lmx: cannot download hf:.*offline/);
  assert.match(lines[0]!, /--model llama:\.\/file\.gguf/);
  assert.match(lines[0]!, /OPENAI_BASE_URL/);
  assert.match(lines[0]!, /ANTHROPIC_API_KEY/);
});

test("the model lmx ask --json prints is the canonical spec, and lmx ask -m accepts it back", async () => {
  const env = cleanEnv({ OPENAI_BASE_URL: server.url });
  const stacked = "self-consistency(n=3) > self-refine(rounds=2)";
  const first = await runCli(["ask", "-m", "openai:test-model", "-t", stacked, "--json", "What is 2+2?"], { env });
  assert.equal(first.code, 0, first.stderr);
  const printed = JSON.parse(first.stdout).model;
  assert.equal(printed, `${stacked}@openai:test-model`);
  const again = await runCli(["ask", "-m", printed, "--json", "What is 2+2?"], { env });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).model, printed, "it prints back unchanged");
});
