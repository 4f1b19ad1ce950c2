import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { estimatePromptTokens } from "../accounting/estimate-tokens.ts";
import { AbortedError } from "../core/errors/aborted-error.ts";
import { lastUserText } from "../core/messages.ts";
import type { LM } from "../core/types.ts";
import { scriptedLM } from "../providers/scripted/scripted-lm.ts";
import { defaultRegistry } from "../techniques/registry.ts";
import { evalRequest, type EvalRecord } from "./eval-record.ts";
import { EvalStore } from "./eval-store.ts";
import { planEvalRuns } from "./plan-eval-runs.ts";
import { runEval } from "./run-eval.ts";
import { wilsonInterval } from "./wilson-interval.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-run-eval-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const records: EvalRecord[] = [
  { id: "q1", question: "What is 1 + 1?", answer: "2", line: 1 },
  { id: "q2", question: "What is 2 + 2?", answer: "4", line: 2 },
  { id: "q3", question: "What is 3 + 3?", answer: "6", line: 3 },
  { id: "q4", question: "What is 5 + 5?", answer: "10", line: 4 },
];
const dataset = { hash: "tiny-dataset", records };

/** q1 always right, q2 always wrong, q3 right from its second sample on (so a vote of 3 fixes it), q4 never answers. */
function reply(question: string, sample: number): string {
  if (question.includes("1 + 1")) return "The answer is 2";
  if (question.includes("2 + 2")) return "The answer is 5";
  if (question.includes("3 + 3")) return sample === 0 ? "The answer is 7" : "The answer is 6";
  return "I do not know";
}
const words = (s: string) => s.split(/\s+/).length;
const prices = { "scripted:test": { input: 1, output: 2 } };
const model = () => scriptedLM((request, { sampleIndex }) => reply(lastUserText(request), sampleIndex), { prices });
const envOf = (lm: LM) => ({
  registry: defaultRegistry(),
  resolveModel: (spec: string) => (spec === "scripted:test" ? lm : assert.fail(`unexpected model ${spec}`)),
});

test("metrics of a known tiny dataset: accuracy, interval, calls, samples, tokens and cost", async () => {
  const lm = model();
  const plans = planEvalRuns({
    techniques: ["none", "self-consistency(n=3)"],
    model: "scripted:test",
    answer: "number",
    env: envOf(lm),
  });
  const store = EvalStore.open({ path: join(dir, "metrics.sqlite") });
  const { runs, interrupted } = await runEval({ dataset, plans, store, answer: "number", concurrency: 2 });
  assert.equal(interrupted, false);
  const [bare, sc] = runs;

  const prompt = records.reduce((sum, r) => sum + estimatePromptTokens(evalRequest(r)), 0);
  const completion = (n: number) =>
    records.reduce(
      (sum, r) => sum + Array.from({ length: n }, (_, i) => words(reply(r.question, i))).reduce((a, b) => a + b, 0),
      0,
    );
  assert.deepEqual(
    { ...bare!, mean_latency_ms: 0 },
    {
      technique: "none",
      model: "scripted:test",
      accuracy: 0.25,
      correct: 1,
      total: 4,
      calls: 4,
      prompt_tokens: prompt,
      completion_tokens: completion(1),
      cost_usd: (prompt * 1 + completion(1) * 2) / 1e6,
      mean_samples: 1,
      mean_latency_ms: 0,
      ci95: wilsonInterval({ successes: 1, total: 4 }),
    },
  );
  assert.equal(sc!.technique, "self-consistency(n=3)");
  assert.equal(sc!.correct, 2, "the vote of three fixes q3");
  assert.equal(sc!.accuracy, 0.5);
  assert.equal(sc!.calls, 4, "one n=3 call per question");
  assert.equal(sc!.mean_samples, 3);
  assert.equal(sc!.completion_tokens, completion(3));
  assert.ok(sc!.prompt_tokens > 0 && sc!.mean_latency_ms >= 0);

  // Each question's row carries its own figures and its trace.
  const plan = plans[1]!;
  const rows = await store.results({ dataset: dataset.hash, model: plan.model, technique: plan.canonical });
  const q3 = rows.find((r) => r.question_id === "q3")!;
  assert.deepEqual([q3.correct, q3.answer, q3.gold, q3.samples, q3.calls], [true, "6", "6", 3, 1]);
  assert.equal(rows.find((r) => r.question_id === "q4")!.answer, undefined);
  const trace = (await store.trace({ dataset: dataset.hash, model: plan.model, technique: plan.canonical }, "q3"))!;
  assert.equal(trace.trace_id, q3.trace_id);
  assert.ok(JSON.stringify(trace).includes('"vote"'));
  await store.close();
});

test("a run interrupted midway resumes: finished questions are skipped, in-flight ones redone, totals exact", async () => {
  const path = join(dir, "resume.sqlite");
  const controller = new AbortController();
  const first = model();
  // q3 hangs until the run is aborted: it is in flight when Ctrl-C comes, and must not be stored.
  const hanging: LM = {
    ...first,
    complete: async (request, ctx) => {
      if (lastUserText(request).includes("3 + 3"))
        return new Promise((_resolve, reject) =>
          ctx!.signal!.addEventListener("abort", () => reject(new AbortedError())),
        );
      return first.complete(request, ctx);
    },
  };
  const plans = planEvalRuns({ techniques: ["self-consistency(n=3)"], model: "scripted:test", env: envOf(hanging) });
  let store = EvalStore.open({ path });
  const progressed: string[] = [];
  const out = await runEval({
    dataset,
    plans,
    store,
    concurrency: 2,
    signal: controller.signal,
    onProgress: (p) => {
      progressed.push(`${p.done}/${p.total}`);
      if (p.done === 2) controller.abort();
    },
  });
  const kept = await store.results({ dataset: dataset.hash, model: "scripted:test", technique: plans[0]!.canonical });
  await store.close();
  assert.equal(out.interrupted, true);
  assert.ok(!kept.some((r) => r.question_id === "q3"), "a question cut by the interrupt is not stored");
  assert.ok(kept.every((r) => r.error === undefined));
  const askedFirst = first.calls.map(lastUserText);
  assert.ok(askedFirst.length >= 2 && askedFirst.length <= 3, `asked ${askedFirst}`);

  const second = model();
  store = EvalStore.open({ path });
  const resumed = planEvalRuns({ techniques: ["self-consistency(n=3)"], model: "scripted:test", env: envOf(second) });
  const starts: number[] = [];
  const again = await runEval({
    dataset,
    plans: resumed,
    store,
    concurrency: 2,
    onRunStart: (s) => starts.push(s.skipped),
  });
  const askedSecond = second.calls.map(lastUserText);
  // Nothing finished before is asked again; together every question was graded exactly once.
  for (const q of askedSecond) assert.ok(!askedFirst.includes(q) || q.includes("3 + 3"), `${q} was evaluated twice`);
  assert.ok(
    askedSecond.some((q) => q.includes("3 + 3")),
    "the question in flight at the interrupt is redone",
  );
  assert.equal(starts[0], 4 - askedSecond.length);
  assert.equal(again.interrupted, false);
  assert.deepEqual([again.runs[0]!.total, again.runs[0]!.correct, again.runs[0]!.calls], [4, 2, 4]);
  assert.equal(
    (await store.results({ dataset: dataset.hash, model: "scripted:test", technique: resumed[0]!.canonical })).length,
    4,
  );

  // A third invocation has nothing left to do.
  const third = model();
  const done = await runEval({
    dataset,
    plans: planEvalRuns({ techniques: ["self-consistency(n=3)"], model: "scripted:test", env: envOf(third) }),
    store,
  });
  assert.equal(third.calls.length, 0);
  assert.equal(done.runs[0]!.correct, 2);
  await store.close();
});

test("sweeps expand into one run each; the answer kind reaches the vote; duplicates collapse", () => {
  const lm = model();
  const plans = planEvalRuns({
    techniques: ["self-consistency(n={1,2,4})", "none", "self-consistency(n=4)"],
    model: "scripted:test",
    answer: "number",
    env: envOf(lm),
  });
  assert.deepEqual(
    plans.map((p) => [p.technique, p.canonical]),
    [
      ["self-consistency(n=1)", "self-consistency(n=1, answer=number)"],
      ["self-consistency(n=2)", "self-consistency(n=2, answer=number)"],
      ["self-consistency(n=4)", "self-consistency(n=4, answer=number)"],
      ["none", "none"],
    ],
  );
  // A spec naming its own answer kind keeps it.
  const own = planEvalRuns({
    techniques: ["self-consistency(n=3, answer=text)@scripted:test"],
    answer: "number",
    env: envOf(lm),
  });
  assert.equal(own[0]!.canonical, "self-consistency(n=3, answer=text)");
  assert.equal(own[0]!.technique, "self-consistency(n=3, answer=text)");
});

test("a run whose first questions all fail stops with one clear error; failures are retried on rerun", async () => {
  const broken: LM = { ...model(), complete: async () => assert.fail("boom: the upstream is down") };
  const many = Array.from({ length: 12 }, (_, i) => ({
    id: `m${i}`,
    question: `What is ${i} + 1?`,
    answer: String(i + 1),
    line: i + 1,
  }));
  const store = EvalStore.open({ path: join(dir, "fail.sqlite") });
  const plans = planEvalRuns({ techniques: ["none"], model: "scripted:test", env: envOf(broken) });
  await assert.rejects(
    runEval({ dataset: { hash: "many", records: many }, plans, store, concurrency: 1 }),
    /the first 5 questions all failed, so the run stopped: boom/,
  );
  const key = { dataset: "many", model: "scripted:test", technique: "none" };
  assert.equal((await store.results(key)).length, 5);
  assert.equal((await store.finished(key)).size, 0, "failed questions are not finished");
  await store.close();
});

test("per-question budgets stop each question on its own, graded on the best answer kept", async () => {
  // Two answers alternate, so adaptive-consistency never settles and would use all ten samples.
  const lm = scriptedLM((_r, { sampleIndex }) => `The answer is ${sampleIndex % 2 ? 4 : 2}`, {
    capabilities: { nativeN: false },
  });
  const plans = planEvalRuns({
    techniques: ["adaptive-consistency(max=10, min=2)"],
    model: "scripted:test",
    env: envOf(lm),
  });
  const store = EvalStore.open({ path: join(dir, "budget.sqlite") });
  const { runs } = await runEval({ dataset, plans, store, budget: { calls: 3 }, answer: "number" });
  const rows = await store.results({ dataset: dataset.hash, model: "scripted:test", technique: plans[0]!.canonical });
  assert.deepEqual(
    rows.map((r) => [r.calls, r.samples, r.finish_reason]),
    records.map(() => [3, 3, "budget"]),
  );
  assert.equal(runs[0]!.calls, 12, "three calls per question, not three for the whole run");
  await store.close();
});

test("grading uses the answer kind the technique was given, unless the evaluation names one", async () => {
  // auto takes the explicit "A: 5 weeks later" (the number 5); as a date the answer is 05/30/2021.
  const dates = [{ id: "d1", question: "What is the date?", answer: "May 30, 2021", line: 1 }];
  const lm = scriptedLM(() => "A: 5 weeks later\nSo it is 05/30/2021.");
  const store = EvalStore.open({ path: join(dir, "kinds.sqlite") });
  const byTechnique = planEvalRuns({
    techniques: ["self-consistency(n=2, answer=date)"],
    model: "scripted:test",
    env: envOf(lm),
  });
  assert.equal(byTechnique[0]!.answer, "date");
  const own = await runEval({ dataset: { hash: "dates", records: dates }, plans: byTechnique, store });
  assert.deepEqual(
    [
      own.runs[0]!.correct,
      (await store.results({ dataset: "dates", model: "scripted:test", technique: byTechnique[0]!.canonical }))[0]!
        .answer,
    ],
    [1, "2021-05-30"],
  );

  // An explicit kind overrides the technique's for grading.
  const overridden = await runEval({
    dataset: { hash: "dates-2", records: dates },
    plans: byTechnique,
    store,
    answer: "auto",
  });
  assert.equal(overridden.runs[0]!.correct, 0);
  await store.close();
});
