import type { Command } from "commander";
import type { LoadedConfig } from "../config/load-config.ts";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import { queueRunner, type QueueRunner } from "../eval/queue/run-eval-on-queue.ts";
import { DEFAULT_QUEUE_NAME } from "../eval/queue/queue-connection.ts";
import { sharedStateSettings } from "../shared-state/shared-state-settings.ts";
import type { CliIO } from "./cli-io.ts";

export interface QueueCliOptions {
  queue?: string | true;
  queueName: string;
}

/** `--queue [url]` and `--queue-name <name>`, shared by lmx eval, lmx tune and lmx worker. */
export function addQueueOptions(command: Command, what: string): Command {
  return command
    .option(
      "--queue [url]",
      `${what} through a Redis queue (redis://...; no value: LMX_REDIS, else the config's redis)`,
    )
    .option("--queue-name <name>", "the queue's name (submitters and workers must agree)", DEFAULT_QUEUE_NAME);
}

/** The queue's Redis URL: `--queue URL`, else (`--queue` alone) LMX_REDIS or the config's `redis`. */
export function queueUrl(value: string | true, config: LoadedConfig): string {
  if (typeof value === "string") return value;
  const url = sharedStateSettings(config).url;
  if (!url)
    throw new InvalidRequestError("--queue needs a Redis URL: --queue redis://HOST:6379, or set LMX_REDIS", {
      param: "queue",
    });
  return url;
}

/** The runner `--queue` asks for (undefined without it): logs its Redis outages on stderr. */
export function queueRunnerFor(options: QueueCliOptions, config: LoadedConfig, io: CliIO): QueueRunner | undefined {
  if (options.queue === undefined) return undefined;
  return queueRunner({
    url: queueUrl(options.queue, config),
    name: options.queueName,
    log: (line) => io.stderr.write(`${line}\n`),
  });
}
