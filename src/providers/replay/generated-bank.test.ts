import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { canonicalAnswer } from "../../techniques/answers/index.ts";
import { cleanEnv, runCli } from "../../cli/testing/run-cli.ts";
import { replayLM } from "./replay-lm.ts";
import { loadSampleBank } from "./sample-bank.ts";
import { writeGeneratedBank } from "./testing/write-generated-bank.ts";

// What the tests over ../shared/replay cover, on a bank made here, so a fresh clone checks it too.
const dir = mkdtempSync(join(tmpdir(), "lmx-generated-bank-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const bankPath = join(dir, "arith.bank.jsonl");
const records = writeGeneratedBank(bankPath);
const right = (sample: string, answer: string) =>
  canonicalAnswer(sample, "literal") === canonicalAnswer(answer, "literal");

test("a generated bank loads with maps by id and by question", () => {
  const bank = loadSampleBank(bankPath);
  assert.equal(bank.records.length, records.length);
  assert.deepEqual(bank.byId.get("gen_3"), records[3]);
  assert.equal(bank.byQuestion.get(records[5]!.question)?.id, "gen_5");
});

test("replay serves a question's samples in order from the context's sample offset, wrapping around", async () => {
  const lm = replayLM({ bank: bankPath });
  const q = records[2]!;
  const result = await lm.complete({ messages: [{ role: "user", content: q.question }], n: 12 }, createRunContext());
  assert.deepEqual(
    result.choices.map((c) => c.message.content),
    [...q.samples, ...q.samples.slice(0, 2)],
  );
});

test("lmx eval over the generated bank: n=1 grades the first samples, voting over 5 does better", async () => {
  const run = await runCli(
    [
      "eval",
      "--data",
      bankPath,
      "--model",
      `replay:${bankPath}`,
      "--technique",
      "self-consistency(n={1,5})",
      "--answer",
      "literal",
      "--json",
      "--results",
      join(dir, "r.sqlite"),
    ],
    { env: cleanEnv(), cwd: dir },
  );
  assert.equal(run.code, 0, run.stderr);
  const [one, five] = JSON.parse(run.stdout).runs as { correct: number; total: number; mean_samples: number }[];
  assert.equal(one!.correct, records.filter((r) => right(r.samples[0]!, r.answer)).length);
  assert.deepEqual([one!.total, one!.mean_samples, five!.mean_samples], [records.length, 1, 5]);
  assert.ok(five!.correct > one!.correct, `vote ${five!.correct} > single ${one!.correct}`);
});
