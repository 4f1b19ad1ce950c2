// `lmx ask --json` tells the truth about money: replays are not paid calls, unpriced models cannot
// silently ignore a cost budget, and a refused call's message shows real figures.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startOpenAITestServer, type OpenAITestServer } from "../../testing/index.ts";
import { cleanEnv, runCli } from "../testing/run-cli.ts";

let server: OpenAITestServer;
const dir = mkdtempSync(join(tmpdir(), "lmx-ask-accounting-"));
before(async () => {
  server = await startOpenAITestServer({ reply: () => "The answer is 4." });
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A config pricing openai:test-model (USD per million tokens) so that costs show. */
function pricedConfig(name: string): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ prices: { "openai:test-model": { input: 1, output: 2 } } }));
  return file;
}

test("lmx ask --cache twice: the second run pays nothing, reports one cache hit and keeps the original usage apart", async () => {
  const config = pricedConfig("cache.json");
  const cache = join(dir, "c.sqlite");
  const args = ["-c", config, "ask", "-m", "openai:test-model", "--cache", cache, "--json", "What is 2+2?"];
  const env = cleanEnv({ OPENAI_BASE_URL: server.url });
  const before = server.requests.length;
  const first = await runCli(args, { env, cwd: dir });
  assert.equal(first.code, 0, first.stderr);
  const paid = JSON.parse(first.stdout).usage;
  assert.equal(paid.calls, 1);
  assert.equal(paid.cache_hits, 0);
  assert.ok(paid.cost_usd > 0);
  assert.equal(server.requests.length, before + 1);

  const second = await runCli(args, { env, cwd: dir });
  assert.equal(second.code, 0, second.stderr);
  assert.equal(server.requests.length, before + 1, "the second run made no upstream request");
  const out = JSON.parse(second.stdout);
  assert.equal(out.answer, "4");
  assert.equal(out.usage.calls, 0);
  assert.equal(out.usage.cost_usd, 0);
  assert.equal(out.usage.total_tokens, 0);
  assert.equal(out.usage.cache_hits, 1);
  assert.deepEqual(out.usage.replayed, {
    prompt_tokens: paid.prompt_tokens,
    completion_tokens: paid.completion_tokens,
    cached_tokens: paid.cached_tokens,
    calls: 1,
    cost_usd: paid.cost_usd,
  });
});

test("a cost budget on a model without a price is an error before any call, not an unlimited run", async () => {
  const before = server.requests.length;
  const run = await runCli(
    ["ask", "-m", "openai:test-model", "-t", "self-consistency(n=8)", "--budget-usd", "0.0000001", "--json", "2+2?"],
    { env: cleanEnv({ OPENAI_BASE_URL: server.url }), cwd: dir },
  );
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /cost budget needs a price for openai:test-model/);
  assert.equal(server.requests.length, before, "no upstream request was made");
});

test("a cost budget too small for one call says what was spent, the limit and what the call needed", async () => {
  const before = server.requests.length;
  const run = await runCli(
    ["-c", pricedConfig("tiny.json"), "ask", "-m", "openai:test-model", "--budget-usd", "0.0000001", "2+2?"],
    { env: cleanEnv({ OPENAI_BASE_URL: server.url }), cwd: dir },
  );
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /cost_usd used 0 of 1e-7; the next call needs [0-9.e-]+ more/);
  assert.doesNotMatch(run.stderr, /of 0\b/);
  assert.equal(server.requests.length, before);
});

test("the config's budget is lmx ask's default, and a flag overrides it", async () => {
  const file = join(dir, "budget.json");
  writeFileSync(file, JSON.stringify({ budget: { calls: 2 } }));
  const env = cleanEnv({ OPENAI_BASE_URL: server.url });
  const ask = (...flags: string[]) =>
    runCli(["-c", file, "ask", "-m", "openai:test-model", "-t", "self-refine(rounds=3)", ...flags, "--json", "2+2?"], {
      env,
      cwd: dir,
    });
  const capped = await ask();
  assert.equal(capped.code, 0, capped.stderr);
  const out = JSON.parse(capped.stdout);
  assert.equal(out.usage.calls, 2, "the config's two calls, not all seven");
  assert.equal(out.finish_reason, "budget");
  const raised = await ask("--budget-calls", "100");
  assert.equal(raised.code, 0, raised.stderr);
  assert.ok(JSON.parse(raised.stdout).usage.calls > 2, raised.stdout);
});
