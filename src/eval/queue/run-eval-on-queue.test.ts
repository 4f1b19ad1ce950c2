import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Queue } from "bullmq";
import { lastUserText } from "../../core/messages.ts";
import type { LM } from "../../core/types.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import { SharedStateUnavailableError } from "../../shared-state/shared-state-unavailable-error.ts";
import { redisAnswers, TEST_REDIS_URL } from "../../shared-state/testing/redis-server-process.ts";
import { createRegistry, defaultRegistry } from "../../techniques/registry.ts";
import type { EvalRecord } from "../eval-record.ts";
import { EvalRunError } from "../eval-run-error.ts";
import { EvalStore } from "../eval-store.ts";
import { planEvalRuns } from "../plan-eval-runs.ts";
import { runEval } from "../run-eval.ts";
import { EvalJobFailedError } from "./eval-job-failed-error.ts";
import { startEvalWorker, type EvalWorker } from "./eval-worker.ts";
import { evalJob, evalJobId } from "./eval-job.ts";
import { queueConnection } from "./queue-connection.ts";
import { queueRunner } from "./run-eval-on-queue.ts";

const skip = !(await redisAnswers()) && "no Redis at 127.0.0.1:6379";
const dir = mkdtempSync(join(tmpdir(), "lmx-queue-"));
const names: string[] = [];
after(async () => {
  for (const name of names) {
    const q = new Queue(name, { connection: queueConnection(TEST_REDIS_URL) });
    await q.obliterate({ force: true }).catch(() => {});
    await q.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

const records: EvalRecord[] = Array.from({ length: 12 }, (_, i) => ({
  id: `q${i}`,
  question: `What is ${i} + ${i}?`,
  answer: String(2 * i),
  line: i + 1,
}));
const dataset = { hash: "queue-dataset", records };

/** Right on even questions, wrong on odd ones, and the vote of 3 fixes every third. */
function reply(question: string, sample: number): string {
  const n = Number(/What is (\d+)/.exec(question)?.[1]);
  if (n % 2 === 0) return `The answer is ${2 * n}`;
  return n % 3 === 0 && sample > 0 ? `The answer is ${2 * n}` : `The answer is ${2 * n + 1}`;
}
const prices = { "scripted:test": { input: 1, output: 2 } };
const model = (delayMs = 0, calls = { n: 0 }) =>
  scriptedLM(
    async (request, { sampleIndex }) => {
      calls.n++;
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      return reply(lastUserText(request), sampleIndex);
    },
    { prices },
  );
const envOf = (lm: LM) => ({
  registry: defaultRegistry(),
  resolveModel: (spec: string) => (spec === "scripted:test" ? lm : assert.fail(`unexpected model ${spec}`)),
});
const techniques = ["none", "self-consistency(n=3)"];
const queueName = () => {
  const name = `lmx-t-${randomUUID()}`;
  names.push(name);
  return name;
};

async function workers(
  count: number,
  options: { name: string; path: string; lm?: LM; concurrency?: number },
): Promise<EvalWorker[]> {
  return Promise.all(
    Array.from({ length: count }, () =>
      startEvalWorker({
        url: TEST_REDIS_URL,
        name: options.name,
        store: EvalStore.open({ path: options.path }),
        env: envOf(options.lm ?? model(5)),
        concurrency: options.concurrency ?? 3,
      }),
    ),
  );
}

test("a queue run's figures equal a local run's, and a rerun finds everything done", { skip }, async () => {
  const lm = model();
  const plans = planEvalRuns({ techniques, model: "scripted:test", answer: "number", env: envOf(lm) });
  const local = await runEval({
    dataset,
    plans,
    store: EvalStore.open({ path: join(dir, "local.sqlite") }),
    answer: "number",
  });

  const name = queueName();
  const path = join(dir, "queued.sqlite");
  const running = await workers(2, { name, path });
  const runner = queueRunner({ url: TEST_REDIS_URL, name, pollMs: 50 });
  const store = EvalStore.open({ path });
  const progress: number[] = [];
  const starts: { total: number; skipped: number }[] = [];
  try {
    const queued = await runner.run({
      dataset,
      plans,
      store,
      answer: "number",
      onRunStart: ({ total, skipped }) => starts.push({ total, skipped }),
      onProgress: (p) => progress.push(p.done),
    });
    const strip = (runs: typeof local.runs) => runs.map((r) => ({ ...r, mean_latency_ms: 0 }));
    assert.deepEqual(strip(queued.runs), strip(local.runs));
    assert.equal(queued.interrupted, false);
    assert.deepEqual(starts, [
      { total: 12, skipped: 0 },
      { total: 12, skipped: 0 },
    ]);
    assert.equal(progress.length, 24, "one progress report per question and run");
    assert.equal(progress.at(-1), 12);

    const again: { total: number; skipped: number }[] = [];
    const rerun = await runner.run({
      dataset,
      plans,
      store,
      answer: "number",
      onRunStart: ({ total, skipped }) => again.push({ total, skipped }),
    });
    assert.deepEqual(strip(rerun.runs), strip(local.runs));
    assert.deepEqual(again, [
      { total: 0, skipped: 12 },
      { total: 0, skipped: 12 },
    ]);
  } finally {
    await runner.close();
    await Promise.all(running.map((w) => w.close()));
  }
});

test("a job the worker builds differently fails at once, and the submitter says why", { skip }, async () => {
  const name = queueName();
  const path = join(dir, "mismatch.sqlite");
  const plans = planEvalRuns({
    techniques: ["none", "self-consistency(n=3)"],
    model: "scripted:test",
    env: envOf(model()),
  });
  // The worker's registry knows no technique: it runs the bare model's jobs and cannot build the
  // second run's, which fail while the submitter is still following the first run.
  const worker = startEvalWorker({
    url: TEST_REDIS_URL,
    name,
    store: EvalStore.open({ path }),
    env: { registry: createRegistry([]), resolveModel: () => model(100) },
    concurrency: 30,
  });
  const runner = queueRunner({ url: TEST_REDIS_URL, name, pollMs: 50 });
  const started: string[] = [];
  try {
    await assert.rejects(
      runner.run({
        dataset,
        plans,
        store: EvalStore.open({ path }),
        onRunStart: ({ plan }) => started.push(plan.technique),
      }),
      (error: Error) =>
        EvalJobFailedError.isInstance(error) && /this worker cannot build self-consistency\(n=3\)/.test(error.message),
    );
    assert.deepEqual(started, ["none", "self-consistency(n=3)"], "the first run finished before the second failed");
  } finally {
    await runner.close();
    await worker.close();
  }
});

test("a run whose first questions all fail gives up, as a local run does", { skip }, async () => {
  const name = queueName();
  const path = join(dir, "failing.sqlite");
  const broken = scriptedLM(() => {
    throw new Error("model exploded");
  });
  const plans = planEvalRuns({ techniques: ["none"], model: "scripted:test", env: envOf(broken) });
  const running = await workers(1, { name, path, lm: broken });
  const runner = queueRunner({ url: TEST_REDIS_URL, name, pollMs: 50 });
  try {
    await assert.rejects(
      runner.run({ dataset, plans, store: EvalStore.open({ path }) }),
      (error: Error) => EvalRunError.isInstance(error) && /model exploded/.test(error.message),
    );
  } finally {
    await runner.close();
    await Promise.all(running.map((w) => w.close()));
  }
});

test("an interrupted submission takes its waiting jobs back; the next one resumes", { skip }, async () => {
  const name = queueName();
  const path = join(dir, "interrupted.sqlite");
  const calls = { n: 0 };
  const lm = model(80, calls);
  const plans = planEvalRuns({ techniques: ["none"], model: "scripted:test", answer: "number", env: envOf(lm) });
  const running = await workers(1, { name, path, lm, concurrency: 1 });
  const runner = queueRunner({ url: TEST_REDIS_URL, name, pollMs: 20 });
  const store = EvalStore.open({ path });
  try {
    const abort = new AbortController();
    const first = await runner.run({
      dataset,
      plans,
      store,
      answer: "number",
      signal: abort.signal,
      onProgress: (p) => p.done >= 3 && abort.abort(),
    });
    assert.equal(first.interrupted, true);
    await new Promise((r) => setTimeout(r, 300));
    const done = (await store.finished({ dataset: dataset.hash, model: "scripted:test", technique: "none" })).size;
    assert.ok(done < records.length, `waiting jobs were taken back (${done} done)`);
    const second = await runner.run({ dataset, plans, store, answer: "number" });
    assert.equal(second.runs[0]!.total, records.length);
    assert.equal(calls.n, records.length, "every question asked once over both submissions");
  } finally {
    await runner.close();
    await Promise.all(running.map((w) => w.close()));
  }
});

test(
  "a job added again after its question finished is skipped: no second call, one stored result",
  { skip },
  async () => {
    const name = queueName();
    const path = join(dir, "again.sqlite");
    const calls = { n: 0 };
    const lm = model(0, calls);
    const plans = planEvalRuns({ techniques: ["none"], model: "scripted:test", answer: "number", env: envOf(lm) });
    const events: string[] = [];
    const store = EvalStore.open({ path });
    const worker = await startEvalWorker({
      url: TEST_REDIS_URL,
      name,
      store,
      env: envOf(lm),
      onJob: (e) => events.push(`${e.question} ${e.outcome}`),
    });
    const runner = queueRunner({ url: TEST_REDIS_URL, name, pollMs: 20 });
    const queue = new Queue(name, { connection: queueConnection(TEST_REDIS_URL) });
    try {
      const one = { hash: dataset.hash, records: records.slice(0, 1) };
      await runner.run({ dataset: one, plans, store, answer: "number" });
      assert.equal(calls.n, 1);
      // As a worker killed after saving but before acknowledging would leave it: the job comes round again.
      const key = { dataset: dataset.hash, model: "scripted:test", technique: "none" };
      const origin = { id: await store.identity(), where: store.path };
      const job = evalJob({ store, dataset: one, answer: "number" }, plans[0]!, records[0]!, origin);
      await queue.add("eval", job, { jobId: evalJobId(key, "q0") });
      for (let i = 0; i < 100 && !events.includes("q0 skipped"); i++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(events, ["q0 done", "q0 skipped"]);
      assert.equal(calls.n, 1, "the model was not asked again");
      assert.equal((await store.results(key)).length, 1);
    } finally {
      await queue.close();
      await runner.close();
      await worker.close();
    }
  },
);

test("no Redis at the queue's URL: a clear error at once, before any question is asked", async () => {
  const runner = queueRunner({ url: "redis://127.0.0.1:1", connectTimeoutMs: 1_000 });
  const plans = planEvalRuns({ techniques: ["none"], model: "scripted:test", env: envOf(model()) });
  try {
    await assert.rejects(
      runner.run({ dataset, plans, store: EvalStore.open({ path: join(dir, "nowhere.sqlite") }) }),
      (e: Error) =>
        SharedStateUnavailableError.isInstance(e) &&
        /cannot connect to Redis at redis:\/\/127\.0\.0\.1:1/.test(e.message),
    );
  } finally {
    await runner.close();
  }
});

test(
  "a worker saving to another store than the submitter reads: the submitter stops at once naming both, nothing is asked",
  { skip, timeout: 30_000 },
  async () => {
    const name = queueName();
    const calls = { n: 0 };
    const lm = model(0, calls);
    const plans = planEvalRuns({ techniques, model: "scripted:test", answer: "number", env: envOf(lm) });
    const workerStore = EvalStore.open({ path: join(dir, "worker-side.sqlite") });
    const submitterStore = EvalStore.open({ path: join(dir, "submitter-side.sqlite") });
    const events: string[] = [];
    const worker = startEvalWorker({
      url: TEST_REDIS_URL,
      name,
      store: workerStore,
      env: envOf(lm),
      onJob: (e) => events.push(e.outcome),
    });
    const runner = queueRunner({ url: TEST_REDIS_URL, name, pollMs: 50 });
    const started = Date.now();
    try {
      const [ours, theirs] = [await submitterStore.identity(), await workerStore.identity()];
      await assert.rejects(
        runner.run({ dataset, plans, store: submitterStore, answer: "number" }),
        (e: Error) =>
          EvalJobFailedError.isInstance(e) &&
          e.message.includes(
            `this worker saves results to ${workerStore.path} (store ${theirs}), but the submitter reads ${submitterStore.path} (store ${ours})`,
          ),
      );
      assert.ok(Date.now() - started < 5_000, `stopped after ${Date.now() - started} ms`);
      assert.equal(calls.n, 0, "no question was asked");
      assert.ok(events.length > 0 && events.every((e) => e === "failed"), `worker outcomes: ${events.join(", ")}`);
      assert.deepEqual(
        await workerStore.results({ dataset: dataset.hash, model: "scripted:test", technique: "none" }),
        [],
      );
    } finally {
      await runner.close();
      await worker.close();
    }
  },
);

test(
  "a job queued by an lmx from before store identities (no store named) is evaluated as before",
  { skip },
  async () => {
    const name = queueName();
    const calls = { n: 0 };
    const lm = model(0, calls);
    const plans = planEvalRuns({ techniques: ["none"], model: "scripted:test", answer: "number", env: envOf(lm) });
    const store = EvalStore.open({ path: join(dir, "older-job.sqlite") });
    const events: string[] = [];
    const worker = startEvalWorker({
      url: TEST_REDIS_URL,
      name,
      store,
      env: envOf(lm),
      onJob: (e) => events.push(`${e.question} ${e.outcome}`),
    });
    const queue = new Queue(name, { connection: queueConnection(TEST_REDIS_URL) });
    try {
      const one = { hash: dataset.hash, records: records.slice(0, 1) };
      const elsewhere = { id: "another-store", where: "/elsewhere.sqlite" };
      const { store: _, ...older } = evalJob(
        { store, dataset: one, answer: "number" },
        plans[0]!,
        records[0]!,
        elsewhere,
      );
      const key = { dataset: dataset.hash, model: "scripted:test", technique: "none" };
      await queue.add("eval", older, { jobId: evalJobId(key, "q0") });
      for (let i = 0; i < 200 && events.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(events, ["q0 done"]);
      assert.equal(calls.n, 1);
      assert.deepEqual([...(await store.finished(key))], ["q0"]);
    } finally {
      await queue.close();
      await worker.close();
    }
  },
);
