import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { lastUserText } from "../core/messages.ts";
import { scriptedLM } from "../providers/scripted/scripted-lm.ts";
import { defaultRegistry } from "../techniques/registry.ts";
import { EvalStore } from "./eval-store.ts";
import { evaluate } from "./evaluate.ts";
import { buildReportData } from "./report-data.ts";
import { runKey } from "./run-eval.ts";
import type { EvalRecordLine } from "./write-eval-records.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-eval-records-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("--records writes one line per question and technique, with the trace id the results file holds", async () => {
  const data = join(dir, "data.jsonl");
  writeFileSync(
    data,
    ["What is 1 + 1?", "What is 2 + 2?", "What is 3 + 3?"]
      .map((q, i) => JSON.stringify({ id: `q${i + 1}`, question: q, answer: String(2 * (i + 1)) }))
      .join("\n") + "\n",
  );
  // The cheap model agrees on q1 and q2 and splits on q3; the big one is always right.
  const cheap = scriptedLM(
    (r, { sampleIndex }) => {
      const q = lastUserText(r);
      if (q.includes("3 + 3")) return `The answer is ${5 + (sampleIndex % 3)}.`;
      return `The answer is ${q.includes("1 + 1") ? 2 : 4}.`;
    },
    { name: "cheap" },
  );
  const big = scriptedLM((r) => `The answer is ${2 * Number(/(\d) \+/.exec(lastUserText(r))![1])}.`, { name: "big" });
  const env = { registry: defaultRegistry(), resolveModel: (spec: string) => (spec === "scripted:big" ? big : cheap) };
  const records = join(dir, "out", "records.jsonl");
  const results = join(dir, "results.sqlite");
  const run = await evaluate({
    data,
    model: "scripted:cheap",
    techniques: ["none", "cascade(models=[scripted:big], verify=agreement, samples=6, threshold=1, batch=2)"],
    results,
    records,
    env,
  });
  assert.equal(run.records, records);

  const lines = readFileSync(records, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as EvalRecordLine);
  assert.equal(lines.length, 6);
  assert.deepEqual(
    lines.map((l) => [l.id, l.technique.split("(")[0], l.correct]),
    [
      ["q1", "none", true],
      ["q2", "none", true],
      ["q3", "none", false],
      ["q1", "cascade", true],
      ["q2", "cascade", true],
      ["q3", "cascade", true],
    ],
  );
  const q3 = lines[5]!;
  assert.equal(q3.answer, "6");
  assert.equal(q3.text, "The answer is 6.");
  // The split shows at the second sample: 2 cheap samples, then the big model's one.
  assert.deepEqual([q3.samples, q3.calls], [3, 2]);
  assert.equal(q3.usage.total_tokens, q3.usage.prompt_tokens + q3.usage.completion_tokens);
  assert.ok(q3.usage.completion_tokens > 0);

  const store = EvalStore.open({ path: results });
  try {
    const key = runKey(run.dataset.hash, run.plans[1]!);
    const stored = (await store.results(key)).find((r) => r.question_id === "q3")!;
    assert.equal(q3.trace_id, stored.trace_id);
    assert.equal((await store.findTraces(q3.trace_id!, 2)).length, 1, "the trace id finds the question's trace");

    // The report carries each question's trace id and the samples and escalations per rung.
    const report = await buildReportData({
      dataset: { path: data, hash: run.dataset.hash, records: run.dataset.records },
      plans: run.plans,
      runs: run.outcome.runs,
      store,
      results,
    });
    const cell = report.questions[2]!.r[1]!;
    assert.equal(report.strings[cell.tr!], q3.trace_id);
    assert.deepEqual(report.runs[1]!.rungs, [
      { step: 1, model: "scripted:cheap", questions: 3, samples: 6 + 6 + 2, escalations: 1 },
      { step: 2, model: "scripted:big", questions: 1, samples: null, escalations: 0 },
    ]);
    assert.deepEqual(report.runs[0]!.rungs, []);
    assert.equal(report.results, results);
  } finally {
    await store.close();
  }
});
