import type { ConnectionOptions } from "bullmq";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { redactUrl } from "../../core/redact-url.ts";

/** Where the eval queue lives: a Redis URL and the queue's name (jobs of one name are one queue). */
export interface EvalQueueSettings {
  url: string;
  /** Default "lmx-eval". */
  name?: string;
  /** Where connection problems are reported (once per outage, the URL's password never shown). */
  log?: (line: string) => void;
}

export const DEFAULT_QUEUE_NAME = "lmx-eval";

/**
 * A worker's BullMQ connection options for a Redis URL: workers block on Redis, so BullMQ wants
 * `maxRetriesPerRequest: null` (the submitter uses openRedis's connection instead, whose commands
 * fail at once while Redis is away). Reconnects back off to 1 s.
 */
export function queueConnection(url: string): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InvalidRequestError(`not a Redis URL: ${redactUrl(url)}`, { param: "queue" });
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:")
    throw new InvalidRequestError(`the queue needs a redis:// or rediss:// URL, got ${redactUrl(url)}`, {
      param: "queue",
    });
  const db = u.pathname.replace(/^\//, "");
  return {
    host: u.hostname || "127.0.0.1",
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(u.protocol === "rediss:" ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
    connectTimeout: 5_000,
    retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 1_000),
  };
}

/**
 * Logs a connection's outage once and its return once: BullMQ's `error` events repeat on every
 * reconnect attempt, and an unhandled one would crash the process.
 */
export function outageLog(url: string, log: (line: string) => void = () => {}) {
  const shown = redactUrl(url);
  let down = false;
  return {
    error(error: Error) {
      if (down) return;
      down = true;
      log(`lmx: the queue's Redis at ${shown} is unavailable (${error.message}); retrying`);
    },
    ok() {
      if (!down) return;
      down = false;
      log(`lmx: the queue's Redis at ${shown} is back`);
    },
    get down() {
      return down;
    },
  };
}
