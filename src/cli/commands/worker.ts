import { resolve } from "node:path";
import type { Command } from "commander";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { EvalStore } from "../../eval/eval-store.ts";
import { startEvalWorker } from "../../eval/queue/eval-worker.ts";
import { DEFAULT_LOCK_MS } from "../../eval/queue/job-options.ts";
import { serverConfigFrom } from "../../server/server-config.ts";
import { redactUrl } from "../../core/redact-url.ts";
import { defaultResultsPath } from "../../store/lmx-dirs.ts";
import { clientOptionPolicy, type SpecEnv } from "../../techniques/spec/index.ts";
import { configuredOtlpExporter } from "../../trace/otlp/configured-otlp-exporter.ts";
import type { CliIO } from "../cli-io.ts";
import { parseIntArg } from "../parse-number.ts";
import { addQueueOptions, queueUrl, type QueueCliOptions } from "../queue-options.ts";
import { openRuntime, type Runtime } from "../runtime.ts";

interface WorkerOptions extends QueueCliOptions {
  results?: string;
  concurrency: number;
  cache: boolean;
  lockMs: number;
  allowAnswerRegex?: boolean;
}

export function configureWorker(command: Command, program: Command, io: CliIO): void {
  addQueueOptions(command, "take jobs")
    .option(
      "--results <file>",
      "the results file submitters read (default: the database LMX_STORE names, else <state>/eval.sqlite)",
    )
    .option("--concurrency <n>", "questions in flight at once", parseIntArg, 8)
    .option("--no-cache", "do not use the response cache (on by default, as for lmx eval)")
    .option(
      "--allow-answer-regex",
      "take regex: answer kinds from jobs (a pattern runs on this worker's event loop: only if you alone write to the queue)",
    )
    .option(
      "--lock-ms <n>",
      "a job's lock, renewed while it runs: a killed worker's jobs go to another after about 1.5× this",
      parseIntArg,
      DEFAULT_LOCK_MS,
    )
    .action(async (options: WorkerOptions) => {
      if (options.concurrency < 1)
        throw new InvalidRequestError("--concurrency must be >= 1", { param: "concurrency" });
      if (options.lockMs < 500) throw new InvalidRequestError("--lock-ms must be >= 500", { param: "lock-ms" });
      const runtime = openRuntime({ config: program.opts().config, cache: options.cache });
      const url = queueUrl(options.queue ?? true, runtime.config);
      // As lmx eval: a file named with --results, else the database the store setting names, else the default file.
      const store =
        !options.results && runtime.stores.backend === "postgres"
          ? runtime.stores.evalResults()
          : EvalStore.open({ path: resolve(options.results ?? defaultResultsPath({ env: process.env })) });
      const results = store.path;
      const log = (line: string) => io.stderr.write(`${line}\n`);
      const exporter = configuredOtlpExporter({ config: runtime.config, env: runtime.env, warn: log });
      // Set before connecting: a worker waiting for Redis stops on Ctrl-C too.
      const stopped = new Promise<void>((done) => {
        process.once("SIGINT", done);
        process.once("SIGTERM", done);
      });
      try {
        const worker = startEvalWorker({
          url,
          name: options.queueName,
          store,
          env: jobEnv(runtime),
          concurrency: options.concurrency,
          allowAnswerRegex: options.allowAnswerRegex === true,
          lockMs: options.lockMs,
          onTrace: exporter ? (span) => exporter.export(span) : undefined,
          stalledIntervalMs: Math.max(250, Math.round(options.lockMs / 2)),
          log,
          onJob: (e) => {
            if (e.outcome === "failed") log(`lmx worker: ${e.technique} on question ${e.question} failed: ${e.reason}`);
          },
        });
        void worker.ready.then(() =>
          log(
            `lmx worker: taking jobs from queue ${options.queueName} at ${redactUrl(url)}; results in ${results} (Ctrl-C stops after the questions in flight)`,
          ),
        );
        await stopped;
        log("lmx worker: stopping after the questions in flight (at most 60 s)");
        await worker.close();
      } finally {
        await exporter?.shutdown();
        await store.close();
        await runtime.close();
        // BullMQ's connections may keep retrying a Redis that never answered: do not let them hold the process.
        setTimeout(() => process.exit(), 2_000).unref();
      }
    });
}

/**
 * How a worker builds jobs' specs: as `lmx serve` builds a client's, since anyone who can write to
 * the queue can add a job. Options naming host resources pass only as names the config grants;
 * models only from allowed providers (server.allowProviders) or the config's aliases.
 */
function jobEnv(runtime: Runtime): SpecEnv {
  const allowed = serverConfigFrom({ config: runtime.config }).allowProviders;
  return {
    ...runtime.specEnv,
    // Aliases and the default model are the operator's (trusted); a job's own model specs are checked.
    trusted: runtime.specEnv,
    resolveModel(spec) {
      const provider = /^([a-z][\w-]*):/.exec(spec.trim())?.[1];
      if (provider && !allowed.includes(provider))
        throw new InvalidRequestError(
          `this worker does not take ${provider}: models from the queue (allowed: ${allowed.join(", ") || "none"}); add "${provider}" to server.allowProviders in its config`,
          { param: "model" },
        );
      return runtime.resolveModel(spec);
    },
    policy: clientOptionPolicy(runtime.grants),
  };
}
