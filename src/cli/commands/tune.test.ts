import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, test as serverTest } from "node:test";
import { startOpenAITestServer } from "../../testing/index.ts";
import { sharedReplay } from "../../testing/shared-replay.ts";
import { cleanEnv, runCli } from "../testing/run-cli.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-tune-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const shared = sharedReplay("cruxeval-output.codellama-7b.bank.jsonl");
const { path: bankPath, test } = shared;
const bank = shared.records<{ id: string; question: string; answer: string; samples: string[] }>();
const base = [
  "tune",
  "--data",
  bankPath,
  "--model",
  `replay:${bankPath}`,
  "--answer",
  "literal",
  "--limit",
  "120",
  "--no-discover",
];

test("--save-alias writes the winner into lmx.config.json, keeping what was there, and lmx ask -m NAME uses it", async () => {
  const cwd = mkdtempSync(join(dir, "alias-"));
  writeFileSync(
    join(cwd, "lmx.config.json"),
    JSON.stringify({ defaultModel: "openai:gpt-4o-mini", aliases: { other: "openai:gpt-4o" } }, null, 2),
  );
  const run = await runCli(
    [
      ...base,
      "--candidates",
      "self-consistency(n={1,3,10})",
      "none",
      "--max-tokens-per-question",
      "100",
      "--test-fraction",
      "0.25",
      "--save-alias",
      "crux",
    ],
    { env: cleanEnv(), cwd },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^ +candidate +accuracy +95% CI +questions +tokens\/q/m);
  assert.match(run.stdout, /^best: (.+)$/m);
  assert.match(run.stdout, /held-out accuracy [\d.]+% \([\d.]+%–[\d.]+%\) on 30 questions/);
  assert.match(run.stdout, /self-consistency\(n=10\) .* budget \(round \d: [\d.]+ tokens\/question > 100\)/);
  const spec = /^best: (.+)$/m.exec(run.stdout)![1]!;
  const config = JSON.parse(readFileSync(join(cwd, "lmx.config.json"), "utf8"));
  assert.deepEqual(config, { defaultModel: "openai:gpt-4o-mini", aliases: { other: "openai:gpt-4o", crux: spec } });
  assert.match(run.stderr, /saved alias crux = /);

  const q = bank[0]!;
  const ask = await runCli(["ask", "-m", "crux", "--json", q.question], { env: cleanEnv(), cwd });
  assert.equal(ask.code, 0, ask.stderr);
  const out = JSON.parse(ask.stdout);
  assert.equal(out.model, spec, "the alias builds the tuned LM");
  assert.equal(out.text, q.samples[0], "answered from the replayed model");
});

test("--json prints one object; rerunning evaluates nothing; a budget nothing fits is an error", async () => {
  const cwd = mkdtempSync(join(dir, "json-"));
  const args = [...base, "--candidates", "self-consistency(n={1,3})", "--json"];
  const first = await runCli(args, { env: cleanEnv(), cwd });
  assert.equal(first.code, 0, first.stderr);
  const result = JSON.parse(first.stdout);
  for (const key of ["best", "leaderboard", "frontier", "rounds", "split", "space", "evaluated", "reused", "results"])
    assert.ok(key in result, key);
  assert.equal(result.leaderboard.length, 2);
  assert.deepEqual(Object.keys(result.best.compute).sort(), ["calls", "cost_usd", "samples", "tokens"]);
  assert.match(first.stderr, /round 1\/1: 2 candidates × 120 questions/);

  const again = await runCli(args, { env: cleanEnv(), cwd });
  assert.equal(JSON.parse(again.stdout).evaluated, 0);
  assert.match(again.stderr, /0 question-runs evaluated, 240 reused/);

  const broke = await runCli([...args, "--max-tokens-per-question", "5"], { env: cleanEnv(), cwd });
  assert.equal(broke.code, 1);
  assert.match(broke.stderr, /no candidate fits the budget/);
  assert.equal(JSON.parse(broke.stdout).best, undefined);
});

test("bad usage: an alias name that reads as a technique, an unknown --param", async () => {
  const clash = await runCli([...base, "--save-alias", "re3"], { env: cleanEnv(), cwd: dir });
  assert.equal(clash.code, 2);
  assert.match(clash.stderr, /too close to the technique "re2"/);
  const param = await runCli([...base, "--candidates", "re2", "--param", "n=1,2"], { env: cleanEnv(), cwd: dir });
  assert.equal(param.code, 2);
  assert.match(param.stderr, /--param n: no candidate technique has this parameter/);
});

serverTest(
  "--reasoning-effort: searched against a real OpenAI-wire server, shown in the leaderboard, saved in the alias",
  async () => {
    // A server whose answers are right at high effort and wrong at low: the effort must reach the wire.
    const server = await startOpenAITestServer({
      reply: (body: { reasoning_effort?: string; messages: { content: string }[] }) => {
        const n = Number(/(\d+) plus one/.exec(body.messages.at(-1)!.content)![1]);
        return `The answer is ${body.reasoning_effort === "high" ? n + 1 : n + 2}.`;
      },
    });
    try {
      const cwd = mkdtempSync(join(dir, "effort-"));
      const data = join(cwd, "sums.jsonl");
      writeFileSync(
        data,
        Array.from({ length: 12 }, (_, i) =>
          JSON.stringify({ question: `What is ${i} plus one?`, answer: String(i + 1) }),
        ).join("\n"),
      );
      const args = ["tune", "--data", data, "-m", "openai:test-model", "--candidates", "none", "--answer", "number"];
      const run = await runCli(
        [...args, "--reasoning-effort", "low,high", "--save-alias", "sums", "--results", join(cwd, "r.sqlite")],
        {
          env: cleanEnv({ OPENAI_BASE_URL: server.url }),
          cwd,
        },
      );
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^ +candidate +effort +accuracy/m);
      assert.match(run.stdout, /^>.* reasoning-effort\(effort=high\) +high +100\.0%/m);
      assert.match(run.stdout, /reasoning-effort\(effort=low\) +low +0\.0%/);
      const config = JSON.parse(readFileSync(join(cwd, "lmx.config.json"), "utf8"));
      assert.equal(config.aliases.sums, "reasoning-effort(effort=high)@openai:test-model");
      const efforts = server.requests.map((r) => (r.body as { reasoning_effort?: string }).reasoning_effort);
      assert.deepEqual([...new Set(efforts)].sort(), ["high", "low"]);

      const bad = await runCli([...args, "--reasoning-effort", "low,extreme"], {
        env: cleanEnv({ OPENAI_BASE_URL: server.url }),
        cwd,
      });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--reasoning-effort "low,extreme": .* one of: none, minimal, low, medium, high, xhigh/);
    } finally {
      await server.close();
    }
  },
);
