import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startOpenAITestServer, type OpenAITestServer } from "../../testing/index.ts";
import { cleanEnv, runCli } from "../testing/run-cli.ts";
import { runMain } from "../testing/run-main.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-record-cli-"));
let server: OpenAITestServer;
before(async () => {
  // Sample k of every question answers "The answer is C" when k is even, else "B".
  server = await startOpenAITestServer({ reply: (_r, i) => `Thinking. The answer is ${i % 2 ? "B" : "C"}` });
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const questions = [
  { id: "p1", question: "Which is a prime?", answer: "B", choices: ["4", "7", "9"] },
  { id: "p2", question: "Which is even?", answer: "C", choices: ["3", "5", "8"] },
  { id: "p3", question: "Which is odd?", answer: "A", choices: ["1", "2", "4"] },
];

test("lmx record samples every question into a bank, resumes, and lmx eval replays it", async () => {
  const data = join(dir, "mc.jsonl");
  writeFileSync(data, [...questions.map((q) => JSON.stringify(q)), "not json"].join("\n") + "\n");
  const out = join(dir, "mc.bank.jsonl");
  const env = cleanEnv({ OPENAI_BASE_URL: server.url });
  const args = [
    "record",
    "--model",
    "openai:test-model",
    "--data",
    data,
    "--samples",
    "4",
    "--out",
    out,
    "--temperature",
    "0.8",
  ];
  const first = await runCli(args, { env, cwd: dir });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /mc\.jsonl line 4: not valid JSON .*\(skipped\)/);
  assert.match(first.stderr, /3 questions written to .*mc\.bank\.jsonl, 0 already there/);
  const bank = readFileSync(out, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    bank.map((b) => [b.id, b.answer, b.samples.length]),
    [
      ["p1", "B", 4],
      ["p2", "C", 4],
      ["p3", "A", 4],
    ].sort(),
  );
  assert.equal(
    bank.find((b) => b.id === "p1").question,
    "Which is a prime?\n\nA. 4\nB. 7\nC. 9",
    "the bank holds the prompt as eval asks it",
  );
  const calls = server.requests.filter((r) => r.method === "POST");
  assert.equal(calls.length, 3);
  assert.ok(calls.every((c) => c.body.n === 4 && c.body.temperature === 0.8));

  const again = await runCli(args, { env, cwd: dir });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /0 questions written .*, 3 already there/);
  assert.equal(server.requests.filter((r) => r.method === "POST").length, 3, "a rerun asks nothing");

  // The recorded samples are replayed for free: one sample per question, then a vote of four.
  const evaluated = await runCli(
    [
      "eval",
      "--data",
      data,
      "--model",
      `replay:${out}`,
      "-t",
      "none",
      "-t",
      "self-consistency(n=4)",
      "--answer",
      "choice",
      "--json",
    ],
    { env: cleanEnv(), cwd: dir },
  );
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const [single, voted] = JSON.parse(evaluated.stdout).runs;
  const firstSamples = bank.map((b) => /The answer is (\w)/.exec(b.samples[0])![1] === b.answer);
  assert.equal(single.correct, firstSamples.filter(Boolean).length);
  assert.equal(voted.mean_samples, 4);
  assert.equal(voted.cost_usd, 0);
});

test("exit codes: an invalid request raised while recording is a failure (1), a missing --out is bad usage (2)", async () => {
  const data = join(dir, "one.jsonl");
  writeFileSync(data, '{"id": "a", "question": "1+1?", "answer": "2"}\n');
  const model = `best-of-n(judge=logprob)@replay:${join(dir, "none.bank.jsonl")}`;
  const run = await runMain(["record", "--data", data, "-m", model, "-n", "1", "-o", join(dir, "x.bank.jsonl")]);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /^lmx: best-of-n: judge=logprob needs token logprobs/);
  const usage = await runMain(["record", "--data", data, "-m", model, "-n", "1"]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /required option '-o, --out <file>' not specified/);
});
