import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after } from "node:test";
import { sharedReplay } from "../../testing/shared-replay.ts";
import { canonicalAnswer } from "../../techniques/answers/index.ts";
import { startOpenAITestServer } from "../../testing/index.ts";
import { cleanEnv, lmxNodeArgs, runCli, userDirs } from "../testing/run-cli.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-eval-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const shared = sharedReplay("cruxeval-output.codellama-7b.bank.jsonl");
const { path: bankPath, test } = shared;
const bank = shared.records<{ id: string; question: string; answer: string; samples: string[] }>();

const RUN_KEYS = [
  "technique",
  "model",
  "accuracy",
  "correct",
  "total",
  "calls",
  "prompt_tokens",
  "completion_tokens",
  "cost_usd",
  "mean_samples",
  "mean_latency_ms",
  "ci95",
];

test("--json prints exactly one JSON object with one run per swept technique (replay of the cruxeval bank)", async () => {
  const run = await runCli(
    [
      "eval",
      "--data",
      bankPath,
      "--model",
      `replay:${bankPath}`,
      "--technique",
      "self-consistency(n={1,3})",
      "--answer",
      "literal",
      "--limit",
      "40",
      "--json",
      "--results",
      join(dir, "json.sqlite"),
    ],
    { env: cleanEnv(), cwd: dir },
  );
  assert.equal(run.code, 0, run.stderr);
  const out = JSON.parse(run.stdout);
  assert.deepEqual(Object.keys(out), ["runs"]);
  assert.equal(out.runs.length, 2);
  for (const r of out.runs) {
    assert.deepEqual(Object.keys(r).sort(), [...RUN_KEYS].sort());
    assert.equal(r.total, 40);
    assert.equal(r.model, `replay:${bankPath}`);
    assert.equal(r.cost_usd, 0);
    assert.ok(r.ci95[0] <= r.accuracy && r.accuracy <= r.ci95[1]);
  }
  assert.deepEqual(
    out.runs.map((r: { technique: string }) => r.technique),
    ["self-consistency(n=1)", "self-consistency(n=3)"],
  );
  // n=1 replays each question's first recorded sample: grade those independently.
  const expected = bank
    .slice(0, 40)
    .filter((b) => canonicalAnswer(b.samples[0]!, "literal") === canonicalAnswer(b.answer, "literal")).length;
  assert.equal(out.runs[0].correct, expected);
  assert.equal(out.runs[0].accuracy, expected / 40);
  assert.deepEqual(
    [out.runs[0].calls, out.runs[0].mean_samples, out.runs[1].calls, out.runs[1].mean_samples],
    [40, 1, 40, 3],
  );
  assert.match(run.stderr, /\[1\/2\] self-consistency\(n=1\) .*40\/40/);
});

test("an alias naming a technique over a model works as --model, as it does for lmx ask", async () => {
  const work = mkdtempSync(join(dir, "alias-"));
  writeFileSync(
    join(work, "lmx.config.json"),
    JSON.stringify({ aliases: { smart: `self-consistency(n=3)@replay:${bankPath}`, plain: `replay:${bankPath}` } }),
  );
  const args = (model: string) => [
    "eval",
    "--data",
    bankPath,
    "--model",
    model,
    "--answer",
    "literal",
    "--limit",
    "5",
    "--json",
    "--results",
    join(work, "r.sqlite"),
  ];
  const smart = await runCli(args("smart"), { env: cleanEnv(), cwd: work });
  assert.equal(smart.code, 0, smart.stderr);
  const run = JSON.parse(smart.stdout).runs[0];
  assert.deepEqual(
    [run.technique, run.model, run.total, run.mean_samples],
    ["none", `self-consistency(n=3)@replay:${bankPath}`, 5, 3],
  );
  const plain = await runCli(args("plain"), { env: cleanEnv(), cwd: work });
  assert.equal(plain.code, 0, plain.stderr);
  assert.deepEqual(
    JSON.parse(plain.stdout).runs.map((r: { model: string; mean_samples: number }) => [r.model, r.mean_samples]),
    [[`replay:${bankPath}`, 1]],
  );
});

test("bad records are reported on stderr with their line numbers; the rest are evaluated", async () => {
  const data = join(dir, "bad.jsonl");
  const good = bank.slice(0, 3).map((b) => JSON.stringify({ id: b.id, question: b.question, answer: b.answer }));
  writeFileSync(data, [good[0], "{oops", good[1], JSON.stringify({ id: "x", answer: "1" }), good[2]].join("\n") + "\n");
  const run = await runCli(
    [
      "eval",
      "--data",
      data,
      "--model",
      `replay:${bankPath}`,
      "--answer",
      "literal",
      "--json",
      "--results",
      join(dir, "bad.sqlite"),
    ],
    { env: cleanEnv(), cwd: dir },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /bad\.jsonl line 2: not valid JSON/);
  assert.match(run.stderr, /bad\.jsonl line 4: "question" must be a non-empty string/);
  const out = JSON.parse(run.stdout);
  assert.equal(out.runs[0].technique, "none");
  assert.equal(out.runs[0].total, 3);
});

/** An OpenAI-compatible server that answers every question but hangs on one until released. */
async function hangingServer(hangOn: string) {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const server = await startOpenAITestServer({
    reply: async (body: { messages: { content: string }[] }) => {
      const q = body.messages.at(-1)!.content;
      if (q.includes(hangOn)) await released;
      const n = Number(/(\d+) \+ 1/.exec(q)?.[1]);
      return `The answer is ${n % 3 === 0 ? n : n + 1}`;
    },
  });
  return { server, release };
}

function spawnCli(args: string[], env: NodeJS.ProcessEnv, cwd: string) {
  const child = spawn(process.execPath, [...lmxNodeArgs, ...args], {
    cwd,
    env: { ...userDirs(cwd), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600 && !condition(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(condition(), `timed out waiting for ${what}`);
}

const questions = Array.from({ length: 6 }, (_, i) => ({
  id: `q${i}`,
  question: `What is ${i} + 1?`,
  answer: String(i + 1),
}));
const asked = (server: { requests: { body?: { messages?: { content: string }[] } }[] }) =>
  server.requests.map((r) => r.body?.messages?.at(-1)?.content).filter(Boolean) as string[];

for (const how of ["SIGKILL", "SIGINT"] as const) {
  test(`a run stopped by ${how} midway resumes: no finished question is asked again and the totals are right`, async () => {
    const work = mkdtempSync(join(dir, `resume-${how}-`));
    const data = join(work, "data.jsonl");
    writeFileSync(data, questions.map((q) => JSON.stringify(q)).join("\n") + "\n");
    const { server, release } = await hangingServer("3 + 1");
    try {
      const env = cleanEnv({ OPENAI_BASE_URL: server.url, OPENAI_API_KEY: "test" });
      const args = [
        "eval",
        "--data",
        data,
        "--model",
        "openai:test-model",
        "--answer",
        "number",
        "--concurrency",
        "1",
        "--json",
      ];
      const first = spawnCli(args, env, work);
      await until(() => asked(server).some((q) => q.includes("3 + 1")), "the hanging question");
      first.child.kill(how);
      const code = await first.exited;
      if (how === "SIGINT") {
        assert.equal(code, 1);
        assert.match(first.output().stderr, /interrupted; finished questions are saved/);
        assert.equal(
          JSON.parse(first.output().stdout).runs[0].total,
          3,
          "the partial summary counts the three finished questions",
        );
      }
      release();
      const before = asked(server);
      assert.deepEqual(before, ["What is 0 + 1?", "What is 1 + 1?", "What is 2 + 1?", "What is 3 + 1?"]);

      const second = await runCli(args, { env, cwd: work });
      assert.equal(second.code, 0, second.stderr);
      assert.deepEqual(
        asked(server).slice(before.length),
        ["What is 3 + 1?", "What is 4 + 1?", "What is 5 + 1?"],
        "only unfinished questions are asked",
      );
      assert.match(second.stderr, /3 questions to do, 3 done before/);
      const run = JSON.parse(second.stdout).runs[0];
      // The server answers i + 1 (right) unless i is a multiple of 3: wrong for i = 0 and 3.
      assert.deepEqual([run.total, run.correct, run.calls], [6, 4, 6]);
    } finally {
      release();
      await server.close();
    }
  });
}
