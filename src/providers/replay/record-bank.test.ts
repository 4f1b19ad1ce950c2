import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { BudgetExceededError } from "../../core/errors/budget-error.ts";
import { lastUserText } from "../../core/messages.ts";
import { scriptedLM } from "../scripted/scripted-lm.ts";
import { recordBank } from "./record-bank.ts";
import { replayLM } from "./replay-lm.ts";
import { loadSampleBank } from "./sample-bank.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-record-bank-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const questions = Array.from({ length: 6 }, (_, i) => ({
  id: `p${i}`,
  question: `What is ${i} + ${i}?`,
  answer: String(2 * i),
}));

/** A model whose answers depend on the question and the sample index, so every sample is distinct. */
const model = () => scriptedLM((request, { sampleIndex }) => `${lastUserText(request)} -> guess ${sampleIndex}`);

test("recordBank asks once per question with n=samples and writes a valid bank", async () => {
  const out = join(dir, "nested", "first.bank.jsonl");
  const lm = model();
  const progress: number[] = [];
  const result = await recordBank({
    lm,
    questions,
    samples: 4,
    out,
    concurrency: 3,
    request: { temperature: 0.7 },
    onProgress: (p) => progress.push(p.done),
  });
  assert.deepEqual(result, { written: 6, skipped: 0, incomplete: [] });
  assert.equal(lm.calls.length, 6);
  assert.ok(lm.calls.every((c) => c.n === 4 && c.temperature === 0.7));
  assert.deepEqual(progress.sort(), [1, 2, 3, 4, 5, 6]);

  const bank = loadSampleBank(out);
  assert.equal(bank.records.length, 6);
  const p3 = bank.byId.get("p3")!;
  assert.equal(p3.answer, "6");
  assert.deepEqual(
    p3.samples,
    [0, 1, 2, 3].map((i) => `What is 3 + 3? -> guess ${i}`),
  );
});

test("a rerun resumes: ids already in the file are skipped, nothing is duplicated", async () => {
  const out = join(dir, "resume.bank.jsonl");
  await recordBank({ lm: model(), questions: questions.slice(0, 2), samples: 2, out });
  // A hand-edited file without a final newline must not glue the next line onto it.
  const text = readFileSync(out, "utf8");
  rmSync(out);
  appendFileSync(out, text.trimEnd());

  const lm = model();
  const result = await recordBank({ lm, questions, samples: 2, out });
  assert.deepEqual(result, { written: 4, skipped: 2, incomplete: [] });
  assert.deepEqual(
    lm.calls.map(lastUserText).sort(),
    questions
      .slice(2)
      .map((q) => q.question)
      .sort(),
  );
  assert.deepEqual(
    loadSampleBank(out)
      .records.map((r) => r.id)
      .sort(),
    questions.map((q) => q.id),
  );

  const again = model();
  assert.deepEqual(await recordBank({ lm: again, questions, samples: 2, out }), {
    written: 0,
    skipped: 6,
    incomplete: [],
  });
  assert.equal(again.calls.length, 0);
});

test("questions without ids get stable ids from their text", async () => {
  const out = join(dir, "no-ids.bank.jsonl");
  const anonymous = questions.slice(0, 3).map(({ question, answer }) => ({ question, answer }));
  await recordBank({ lm: model(), questions: anonymous, samples: 1, out });
  const rerun = model();
  assert.deepEqual(await recordBank({ lm: rerun, questions: anonymous, samples: 1, out }), {
    written: 0,
    skipped: 3,
    incomplete: [],
  });
  assert.equal(new Set(loadSampleBank(out).records.map((r) => r.id)).size, 3);
});

test("a budget that runs out stops the recording and keeps the lines already written", async () => {
  const out = join(dir, "budget.bank.jsonl");
  const ctx = createRunContext({ budget: { calls: 2 } });
  await assert.rejects(recordBank({ lm: model(), questions, samples: 3, out, concurrency: 1, ctx }), (e) =>
    BudgetExceededError.isInstance(e),
  );
  assert.deepEqual(
    loadSampleBank(out).records.map((r) => r.id),
    ["p0", "p1"],
  );
  assert.equal(ctx.span.total.calls, 2, "the recording is traced under the given context");
});

test("a replay LM over a recorded bank replays it, in order and wrapping", async () => {
  const out = join(dir, "replayed.bank.jsonl");
  await recordBank({
    lm: model(),
    questions,
    samples: 3,
    out,
    request: { messages: [{ role: "system", content: "Answer briefly." }] },
  });
  const replay = replayLM({ bank: out });
  const asked = {
    messages: [
      { role: "system" as const, content: "Answer briefly." },
      { role: "user" as const, content: questions[4]!.question },
    ],
    n: 5,
  };
  const r = await replay.complete(asked);
  assert.deepEqual(
    r.choices.map((c) => c.message.content),
    [0, 1, 2, 0, 1].map((i) => `What is 4 + 4? -> guess ${i}`),
  );
  assert.equal(replay.id, `replay:${out}`);
});
