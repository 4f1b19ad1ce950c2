import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Queue } from "bullmq";
import { lastUserText } from "../../core/messages.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import { redisAnswers, TEST_REDIS_URL } from "../../shared-state/testing/redis-server-process.ts";
import { defaultRegistry } from "../../techniques/registry.ts";
import { tune, type TuneResult } from "../../tune/tune.ts";
import { EvalStore } from "../eval-store.ts";
import { startEvalWorker } from "./eval-worker.ts";
import { queueConnection } from "./queue-connection.ts";
import { queueRunner } from "./run-eval-on-queue.ts";

const skip = !(await redisAnswers()) && "no Redis at 127.0.0.1:6379";
const dir = mkdtempSync(join(tmpdir(), "lmx-tune-queue-"));
const name = `lmx-t-${randomUUID()}`;
after(async () => {
  const q = new Queue(name, { connection: queueConnection(TEST_REDIS_URL) });
  await q.obliterate({ force: true }).catch(() => {});
  await q.close();
  rmSync(dir, { recursive: true, force: true });
});

const data = join(dir, "data.jsonl");
writeFileSync(
  data,
  Array.from({ length: 30 }, (_, i) =>
    JSON.stringify({ id: `q${i}`, question: `What is ${i} + ${i}?`, answer: String(2 * i) }),
  )
    .join("\n")
    .concat("\n"),
);
/** A vote of three fixes every second question the first sample gets wrong. */
const lm = scriptedLM((request, { sampleIndex }) => {
  const n = Number(/What is (\d+)/.exec(lastUserText(request))?.[1]);
  const right = n % 3 === 0 || (n % 2 === 0 && sampleIndex > 0);
  return `The answer is ${right ? 2 * n : 2 * n + 1}`;
});
const env = { registry: defaultRegistry(), resolveModel: () => lm };

const options = {
  data,
  model: "scripted:test",
  candidates: ["none", "self-consistency(n={3,5})"],
  space: { discover: false },
  answer: "number",
  env,
  minQuestions: 5,
};

/** What tuning decided, without timings. */
const decision = (r: TuneResult) => ({
  best: r.best?.spec,
  leaderboard: r.leaderboard.map((e) => [e.technique, e.accuracy, e.questions]),
  rounds: r.rounds,
});

test("lmx tune --queue: rounds run on workers and choose what a local tune chooses", { skip }, async () => {
  const local = await tune({ ...options, results: join(dir, "local.sqlite") });
  const path = join(dir, "queued.sqlite");
  const workers = await Promise.all(
    [1, 2].map(() =>
      startEvalWorker({ url: TEST_REDIS_URL, name, store: EvalStore.open({ path }), env, concurrency: 4 }),
    ),
  );
  const runner = queueRunner({ url: TEST_REDIS_URL, name, pollMs: 50 });
  try {
    const queued = await tune({ ...options, results: path, runner: runner.run });
    assert.deepEqual(decision(queued), decision(local));
    assert.equal(queued.evaluated, local.evaluated);
    assert.ok(queued.best, "a winner was chosen");
  } finally {
    await runner.close();
    await Promise.all(workers.map((w) => w.close()));
  }
});
