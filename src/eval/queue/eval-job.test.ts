import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { parseAnswerKind } from "../../techniques/answers/index.ts";
import type { EvalRecord } from "../eval-record.ts";
import type { EvalRunPlan } from "../plan-eval-runs.ts";
import type { RunSettings } from "../run-settings.ts";
import { evalJob, evalJobId, formatAnswerKind, MAX_JOB_BYTES, parseEvalJob } from "./eval-job.ts";

const plan = {
  technique: "self-consistency(n=3)",
  canonical: "self-consistency(n=3)",
  model: "openai:m",
} as EvalRunPlan;
const record: EvalRecord = { id: "q1", question: "What is 1 + 1?", answer: "2", line: 1 };
const store = { id: "5b0c6a3e-1f0e-4d8a-9a55-2f1a4e7b9c10", where: "/srv/lmx/eval.sqlite" };
const settings = (extra: Partial<RunSettings> = {}) =>
  ({ store: undefined, dataset: { hash: "h", records: [record] }, ...extra }) as unknown as RunSettings;

test("job ids follow the result key and the question: the same question twice is one job", () => {
  const key = { dataset: "h", model: "openai:m", technique: "none" };
  assert.equal(evalJobId(key, "q1"), evalJobId({ ...key }, "q1"));
  assert.match(evalJobId(key, "q1"), /^q-[0-9a-f]{40}$/, "no ':' (BullMQ refuses it) and no raw question id");
  const others = [
    evalJobId(key, "q2"),
    evalJobId({ ...key, dataset: "other" }, "q1"),
    evalJobId({ ...key, model: "openai:n" }, "q1"),
    evalJobId({ ...key, technique: "self-consistency(n=3)" }, "q1"),
  ];
  assert.equal(new Set([evalJobId(key, "q1"), ...others]).size, 5);
});

test("a job reads back as written, with the settings a worker needs", () => {
  const job = evalJob(
    settings({ answer: parseAnswerKind("number"), seed: 7, request: { temperature: 0.5 }, budget: { calls: 4 } }),
    plan,
    record,
    store,
  );
  assert.deepEqual(parseEvalJob(JSON.parse(JSON.stringify(job))), job);
  assert.deepEqual(job.store, store, "the submitter's store, for workers to compare with theirs");
  assert.equal(job.answer, "number");
  assert.deepEqual(job.request, { temperature: 0.5 });
});

test("answer kinds survive the trip, regular expressions included", () => {
  for (const kind of ["auto", "number", "date", "regex:ANSWER: (\\w+)"])
    assert.deepEqual(parseAnswerKind(formatAnswerKind(parseAnswerKind(kind))), parseAnswerKind(kind));
});

test("a question too large for the queue is refused before anything is added", () => {
  const big = { ...record, question: "x".repeat(MAX_JOB_BYTES) };
  assert.throws(
    () => evalJob(settings(), plan, big, store),
    (e: Error) =>
      InvalidRequestError.isInstance(e) && /question q1 \(line 1\) is too large for the queue/.test(e.message),
  );
});

test("request fields other than sampling settings do not go through the queue", () => {
  assert.throws(
    () => evalJob(settings({ request: { tools: [] } as never }), plan, record, store),
    /request field tools cannot be sent through the queue/,
  );
});

test("a malformed or padded job is refused with a clear error", () => {
  const job = evalJob(settings(), plan, record, store);
  for (const bad of [
    null,
    { ...job, v: 2 },
    { ...job, extra: "field" },
    { ...job, request: { messages: [] } },
    { ...job, record: { ...record, id: 5 } },
    { ...job, budget: { calls: -1 } },
    { ...job, store: { id: "", where: store.where } },
    { ...job, store: { id: "x".repeat(201), where: store.where } },
    { ...job, store: { ...store, where: "x".repeat(2_001) } },
    { ...job, store: { ...store, password: "hunter2" } },
    { ...job, store: store.id },
  ])
    assert.throws(() => parseEvalJob(bad), /malformed eval job/);
});

test("a job queued by an lmx from before store identities (no store) still reads", () => {
  const { store: _, ...older } = evalJob(settings(), plan, record, store);
  assert.deepEqual(parseEvalJob(JSON.parse(JSON.stringify(older))), older);
  assert.equal(parseEvalJob(older).store, undefined);
});
