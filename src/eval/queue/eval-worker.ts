import { UnrecoverableError, Worker, type Job } from "bullmq";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { UpstreamError } from "../../core/errors/upstream-error.ts";
import { parseAnswerKind } from "../../techniques/answers/index.ts";
import type { SpecEnv } from "../../techniques/spec/index.ts";
import type { Span } from "../../trace/span.ts";
import type { EvalStore, RunKey } from "../eval-store.ts";
import { evaluateAndSave } from "../evaluate-and-save.ts";
import { planEvalRuns, type EvalRunPlan } from "../plan-eval-runs.ts";
import { runKey } from "../run-key.ts";
import { checkJobStore } from "./check-job-store.ts";
import { parseEvalJob, type EvalJob } from "./eval-job.ts";
import { DEFAULT_LOCK_MS, DEFAULT_STALLED_INTERVAL_MS, MAX_STALLED_COUNT } from "./job-options.ts";
import { DEFAULT_QUEUE_NAME, outageLog, queueConnection, type EvalQueueSettings } from "./queue-connection.ts";

export interface EvalWorkerOptions extends EvalQueueSettings {
  /** The shared results store the submitter reads. */
  store: EvalStore;
  /**
   * The worker's own spec environment: jobs' specs and models are built with it (give it the
   * policy a client of `lmx serve` gets, so a job can name no host resource the config does not grant).
   */
  env: SpecEnv;
  /**
   * Take `regex:` answer kinds from jobs (default false): a pattern runs over the model's output on
   * the worker's event loop, and one that backtracks catastrophically holds it; only for queues whose
   * writers are the operator's.
   */
  allowAnswerRegex?: boolean;
  /** Questions in flight at once (default 8). */
  concurrency?: number;
  /** See DEFAULT_LOCK_MS and DEFAULT_STALLED_INTERVAL_MS (tests shorten them). */
  lockMs?: number;
  stalledIntervalMs?: number;
  /** Each evaluated question's finished trace (for exporters), as a local run's `onTrace`. */
  onTrace?(span: Span): void;
  /** Each job's end: evaluated, skipped (already finished) or failed (with why). */
  onJob?(event: { question: string; technique: string; outcome: "done" | "skipped" | "failed"; reason?: string }): void;
}

export interface EvalWorker {
  /** Resolves once connected to Redis (the worker waits for it, however long it is away). */
  ready: Promise<void>;
  /**
   * Stops taking jobs and waits for those in flight, at most `timeoutMs` (default 60 s); then lets
   * go without waiting (their locks lapse and other workers retake them).
   */
  close(timeoutMs?: number): Promise<void>;
}

const PLAN_CACHE = 64;
const FINISHED_TTL_MS = 1_000;
const FINISHED_CACHE = 256;

/**
 * Takes eval jobs off the queue and evaluates each with evaluateAndSave into the store, under the
 * result key the submitter follows. A question the store has finished is skipped, and saving is an
 * upsert, so a job retried after its worker died is stored once. A job whose plan this worker
 * builds differently from the submitter, or whose submitter follows another store, fails at once,
 * saying so. Redis outages are logged (once) and ridden out.
 */
export function startEvalWorker(options: EvalWorkerOptions): EvalWorker {
  const { store, env } = options;
  const outage = outageLog(options.url, options.log);
  const plans = new Map<string, EvalRunPlan>();
  const finished = new Map<string, { at: number; ids: Set<string> }>();

  const planOf = (job: EvalJob): EvalRunPlan => {
    const cacheKey = JSON.stringify([job.technique, job.model, job.answer ?? null]);
    let plan = plans.get(cacheKey);
    if (!plan) {
      try {
        plan = planEvalRuns({ techniques: [job.technique], model: job.model, answer: job.answer, env })[0]!;
      } catch (error) {
        throw new UnrecoverableError(
          `this worker cannot build ${job.technique} over ${job.model}: ${(error as Error).message}`,
        );
      }
      if (plans.size >= PLAN_CACHE) plans.delete(plans.keys().next().value!);
      plans.set(cacheKey, plan);
    }
    if (plan.canonical !== job.canonical || plan.model !== job.model)
      throw new UnrecoverableError(
        `this worker builds ${job.technique} over ${job.model} as ${plan.canonical} over ${plan.model}, the submitter as ${job.canonical} over ${job.model}: run the same lmx version and model configuration on both`,
      );
    return plan;
  };

  /**
   * Whether the store has the question finished. The run's finished ids are read once for many jobs:
   * read again when they are over a second old, or older than the job (re-added after Redis lost it)
   * or the job is a retry (its worker may have saved it and died), so a finished question is never
   * asked twice; a fresh job of a running submission needs no new read.
   */
  const isFinished = async (key: RunKey, question: string, job: Job): Promise<boolean> => {
    const k = JSON.stringify(key);
    let entry = finished.get(k);
    const redo = job.attemptsStarted > 1 || job.attemptsMade > 0 || job.stalledCounter > 0;
    const stale = !entry || Date.now() - entry.at > FINISHED_TTL_MS || entry.at < job.timestamp || redo;
    if (!entry || (stale && !entry.ids.has(question))) {
      entry = { at: Date.now(), ids: await store.finished(key) };
      finished.delete(k);
      if (finished.size >= FINISHED_CACHE) finished.delete(finished.keys().next().value!);
      finished.set(k, entry);
    }
    return entry.ids.has(question);
  };

  let inFlight = 0;
  const process = async (job: Job): Promise<void> => {
    inFlight++;
    try {
      await processJob(job);
    } finally {
      inFlight--;
    }
  };
  const processJob = async (job: Job): Promise<void> => {
    let data: EvalJob;
    try {
      data = parseEvalJob(job.data);
    } catch (error) {
      throw new UnrecoverableError((error as Error).message);
    }
    await checkJobStore(data, store);
    if (!options.allowAnswerRegex && data.answer?.trim().startsWith("regex:"))
      throw new UnrecoverableError(
        "this worker does not take regex: answer kinds from the queue (a pattern could hold its event loop); start it with --allow-answer-regex if only you write to the queue",
      );
    const plan = planOf(data);
    const key = runKey(data.dataset, plan);
    if (await isFinished(key, data.record.id, job)) {
      options.onJob?.({ question: data.record.id, technique: data.technique, outcome: "skipped" });
      return;
    }
    const settings = {
      store,
      dataset: { hash: data.dataset, records: [data.record] },
      ...(data.answer === undefined ? {} : { answer: parseAnswerKind(data.answer) }),
      seed: data.seed,
      request: data.request,
      budget: data.budget,
    };
    try {
      const outcome = await evaluateAndSave(settings, data.record, plan);
      if (!outcome.interrupted) options.onTrace?.(outcome.span);
    } catch (error) {
      // What dooms every question (configuration, authentication, unknown model) is not retried.
      if (ConfigurationError.isInstance(error) || UpstreamError.isInstance(error))
        throw new UnrecoverableError((error as Error).message);
      throw error;
    }
    options.onJob?.({ question: data.record.id, technique: data.technique, outcome: "done" });
  };

  const worker = new Worker(options.name ?? DEFAULT_QUEUE_NAME, process, {
    connection: queueConnection(options.url),
    concurrency: options.concurrency ?? 8,
    lockDuration: options.lockMs ?? DEFAULT_LOCK_MS,
    stalledInterval: options.stalledIntervalMs ?? DEFAULT_STALLED_INTERVAL_MS,
    maxStalledCount: MAX_STALLED_COUNT,
    autorun: false,
  });
  worker.on("error", (error: Error) => outage.error(error));
  worker.on("failed", (job: Job | undefined, error: Error) => {
    const data = job?.data as Partial<EvalJob> | undefined;
    options.onJob?.({
      question: String(data?.record?.id ?? job?.id ?? "?"),
      technique: String(data?.technique ?? "?"),
      outcome: "failed",
      reason: error.message,
    });
  });
  // BullMQ reports only errors: the connection's own `ready` (after each reconnect) tells an outage's end.
  void worker
    .getBackend()
    .client.then((client) => client.on("ready", () => outage.ok()))
    .catch((error: Error) => outage.error(error));
  void worker.run().catch((error: Error) => outage.error(error));
  const ready = worker.waitUntilReady();
  ready.catch(() => {});
  return {
    ready,
    async close(timeoutMs = 60_000) {
      const started = Date.now();
      let closed = false;
      void worker.close().then(
        () => (closed = true),
        () => (closed = true),
      );
      // With Redis away nothing can be acknowledged: once the questions in flight are saved, let go.
      while (!closed && Date.now() - started < timeoutMs && !(outage.down && inFlight === 0))
        await new Promise((r) => setTimeout(r, 50));
      if (!closed) await Promise.race([worker.disconnect().catch(() => {}), new Promise((r) => setTimeout(r, 1_000))]);
    },
  };
}
