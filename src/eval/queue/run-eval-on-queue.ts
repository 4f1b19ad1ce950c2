import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { openRedis } from "../../shared-state/open-redis.ts";
import type { EvalRecord } from "../eval-record.ts";
import { EvalRunError } from "../eval-run-error.ts";
import type { QuestionResult, RunKey } from "../eval-store.ts";
import type { EvalRunPlan } from "../plan-eval-runs.ts";
import type { EvalProgress, EvalRunner } from "../run-eval.ts";
import { runKey } from "../run-key.ts";
import { summarizeRun } from "../summarize-run.ts";
import { EvalJobFailedError } from "./eval-job-failed-error.ts";
import { evalJob, evalJobId, type EvalJob } from "./eval-job.ts";
import { EVAL_JOB_OPTIONS } from "./job-options.ts";
import { DEFAULT_QUEUE_NAME, outageLog, type EvalQueueSettings } from "./queue-connection.ts";

export interface QueueRunner {
  run: EvalRunner;
  close(): Promise<void>;
}

export interface QueueRunnerOptions extends EvalQueueSettings {
  /** How often the store and the queue are looked at (default 500 ms). */
  pollMs?: number;
  /** How long to wait for Redis at start before giving up (default 5 s). */
  connectTimeoutMs?: number;
}

interface PlannedRun {
  plan: EvalRunPlan;
  key: RunKey;
  skipped: number;
  /** Job id → job, for questions still to do. */
  jobs: Map<string, { questionId: string; data: EvalJob }>;
  /** Question id → the trace id of its failed result from before (a new result has another). */
  before: Map<string, string | undefined>;
}

const ADD_CHUNK = 500;
/** The store is polled less often as a run's results grow: 10,000 rows, every 5 s. */
const POLL_MS_PER_ROW = 0.5;
const MAX_POLL_MS = 5_000;

/**
 * runEval on a queue: every question × plan still to do becomes a job (its id derived from the
 * result key, so submitting twice adds once) that `lmx worker`s evaluate and save into the shared
 * results store; runs are queued one after another, as runEval runs them. The submitter follows the store, reporting each run's progress as runEval does,
 * gives a run up on the same fail-fast rule, re-adds jobs Redis lost (a restart without
 * persistence) and summarizes from the store, so the figures are a local run's. While Redis is
 * away it says so and keeps following the store; an interrupt takes its waiting jobs back.
 */
export function queueRunner(options: QueueRunnerOptions): QueueRunner {
  const log = options.log ?? (() => {});
  const pollMs = options.pollMs ?? 500;
  // Outages are logged by the connection (openRedis); this only tracks them.
  const outage = outageLog(options.url);
  let queue: Queue | undefined;

  let connection: Redis | undefined;
  // The shared-state connection: a clear error when Redis does not answer at start, outages logged
  // once, commands failing at once while it is away (the follow loop says so and carries on).
  const open = async (): Promise<Queue> => {
    if (queue) return queue;
    connection = await openRedis(options.url, { log, connectTimeoutMs: options.connectTimeoutMs });
    const q = new Queue(options.name ?? DEFAULT_QUEUE_NAME, { connection, defaultJobOptions: EVAL_JOB_OPTIONS });
    q.on("error", (error: Error) => outage.error(error));
    return (queue = q);
  };

  const run: EvalRunner = async (opts) => {
    const { dataset, plans, store, signal } = opts;
    const failFast = opts.failFast === 0 ? Infinity : (opts.failFast ?? 5);
    const q = await open();
    // Each job names the store followed here, so a worker saving elsewhere refuses it (checkJobStore).
    const origin = { id: await store.identity(), where: store.path };
    // Every job is made (and checked) before any is added.
    const runs: PlannedRun[] = [];
    for (const plan of plans) {
      const key = runKey(dataset.hash, plan);
      const finished = await store.finished(key);
      const pending = dataset.records.filter((r) => !finished.has(r.id));
      const before = new Map<string, string | undefined>();
      const ids = new Set(pending.map((r) => r.id));
      for (const r of await store.results(key)) if (ids.has(r.question_id)) before.set(r.question_id, r.trace_id);
      const jobs = new Map(
        pending.map((r: EvalRecord) => [
          evalJobId(key, r.id),
          { questionId: r.id, data: evalJob(opts, plan, r, origin) },
        ]),
      );
      runs.push({ plan, key, skipped: dataset.records.length - pending.length, jobs, before });
    }
    const redis = async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
      try {
        const value = await fn();
        outage.ok();
        return value;
      } catch (error) {
        outage.error(error as Error);
        return undefined;
      }
    };
    const allJobs = runs.flatMap((r) => [...r.jobs]);
    await redis(() => retryFailed(q, new Set(allJobs.map(([id]) => id))));
    let interrupted = false;
    let lastFailedCount = -1;
    // Failed jobs of this submission (any run's), by id: seen once, reported when their run is followed.
    const ours = new Set(allJobs.map(([id]) => id));
    const failed = new Map<string, string>();

    const follow = async (planned: PlannedRun, index: number) => {
      const { plan, key, jobs, before } = planned;
      const remaining = new Map([...jobs].map(([id, job]) => [job.questionId, id]));
      opts.onRunStart?.({ plan, run: index, runs: runs.length, total: jobs.size, skipped: planned.skipped });
      const progress: EvalProgress = {
        plan,
        run: index,
        runs: runs.length,
        done: 0,
        total: jobs.size,
        skipped: planned.skipped,
        correct: 0,
        errors: 0,
        tokens: 0,
        cost_usd: 0,
      };
      // A run's jobs are queued when it starts, as a local run starts after the one before: runs of
      // one question never overlap, so cache hits (and the compute figures) are a local run's.
      let added = (await redis(() => addJobs(q, [...jobs]))) !== undefined;
      let streak = 0;
      let wait = pollMs;
      while (remaining.size > 0) {
        if (signal?.aborted) return true;
        // Redis first, then the store: a job leaves Redis only after its result is saved, so a job
        // missing from Redis and from the store is lost, not finishing.
        const wasDown = outage.down;
        const counts = await redis(() => q.getJobCounts("waiting", "active", "delayed", "prioritized"));
        await redis(async () => {
          const count = await q.getFailedCount();
          if (count === lastFailedCount) return;
          lastFailedCount = count;
          for (const job of await q.getFailed(0, 999))
            if (job.id && ours.has(job.id)) failed.set(job.id, job.failedReason ?? "no reason given");
        });
        const rows = await store.results(key);
        // Reading every row of a big run twice a second would cost more than the progress is worth.
        wait = Math.max(pollMs, Math.min(MAX_POLL_MS, Math.round(rows.length * POLL_MS_PER_ROW)));
        for (const r of rows) {
          if (!remaining.has(r.question_id) || !isNew(r, before)) continue;
          remaining.delete(r.question_id);
          count(progress, r);
          if (r.error !== undefined) {
            if (streak >= 0 && ++streak >= failFast && jobs.size > failFast)
              throw new EvalRunError({ technique: plan.technique, failed: streak, message: r.error });
          } else streak = -1;
          opts.onProgress?.({ ...progress });
        }
        for (const [question, id] of remaining) {
          const reason = failed.get(id);
          if (reason !== undefined)
            throw new EvalJobFailedError(
              `${plan.technique} on question ${question}: a worker gave up on it: ${reason}`,
            );
        }
        const total = counts && Object.values(counts).reduce((a, b) => a + b, 0);
        const lost = total !== undefined && (!added || (wasDown && !outage.down) || total < remaining.size);
        if (lost && remaining.size > 0) {
          const missing = [...remaining.values()].map((id) => [id, jobs.get(id)!] as const);
          added = (await redis(() => addJobs(q, missing))) !== undefined;
        }
        if (remaining.size > 0) await sleep(wait, signal);
      }
      return false;
    };

    try {
      for (const [index, planned] of runs.entries()) {
        if (signal?.aborted || (await follow(planned, index))) {
          interrupted = true;
          break;
        }
      }
    } catch (error) {
      await redis(() =>
        takeBack(
          q,
          allJobs.map(([id]) => id),
        ),
      );
      throw error;
    }
    if (interrupted)
      await redis(() =>
        takeBack(
          q,
          allJobs.map(([id]) => id),
        ),
      );
    const ids = new Set(dataset.records.map((r) => r.id));
    const summaries = [];
    for (const { plan, key } of runs) {
      const results = (await store.results(key)).filter((r) => ids.has(r.question_id));
      summaries.push(summarizeRun({ technique: plan.technique, model: plan.model, results }));
    }
    return { runs: summaries, interrupted };
  };

  return {
    run,
    async close() {
      await queue?.close().catch(() => {});
      connection?.disconnect();
    },
  };
}

/** A result written in this submission: finished, or failed anew (a failure from before has its old trace id). */
function isNew(result: QuestionResult, before: Map<string, string | undefined>): boolean {
  return (
    result.error === undefined || !before.has(result.question_id) || before.get(result.question_id) !== result.trace_id
  );
}

function count(progress: EvalProgress, result: QuestionResult): void {
  progress.done++;
  if (result.correct) progress.correct++;
  if (result.error !== undefined) progress.errors++;
  progress.tokens += result.prompt_tokens + result.completion_tokens;
  progress.cost_usd += result.cost_usd;
}

/** Adds jobs (existing ids are left as they are). */
async function addJobs(queue: Queue, jobs: readonly (readonly [string, { data: EvalJob }])[]): Promise<void> {
  for (let i = 0; i < jobs.length; i += ADD_CHUNK)
    await queue.addBulk(
      jobs
        .slice(i, i + ADD_CHUNK)
        .map(([jobId, { data }]) => ({ name: "eval", data, opts: { ...EVAL_JOB_OPTIONS, jobId } })),
    );
}

/** Failed jobs of these ids are removed, so resubmitting retries them (a fixed worker config, say). */
async function retryFailed(queue: Queue, ids: ReadonlySet<string>): Promise<void> {
  for (const job of await queue.getFailed(0, 999)) if (job.id && ids.has(job.id)) await queue.remove(job.id);
}

/** Waiting jobs of these ids are removed (active ones finish and are saved; a rerun resumes after them). */
async function takeBack(queue: Queue, ids: readonly string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 100)
    await Promise.all(ids.slice(i, i + 100).map((id) => queue.remove(id).catch(() => 0)));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}
