import { Redis } from "ioredis";
import { redactUrl } from "../core/redact-url.ts";
import { SharedStateUnavailableError } from "./shared-state-unavailable-error.ts";

export interface RedisOptions {
  /** Where connection problems are reported (once per outage; the URL's password is never shown). */
  log?: (line: string) => void;
  /** Time to connect at start before giving up (default 5 s). */
  connectTimeoutMs?: number;
  /** Time one command may take before it fails (default: none; the shared state sets one). */
  commandTimeoutMs?: number;
}

/**
 * A Redis connection for state instances share. Commands fail at once while Redis is away (no
 * offline queue that would grow without bound or answer minutes late) and the client reconnects by
 * itself, backing off to one attempt a second; its `error` events are logged, never thrown.
 */
export async function openRedis(url: string, options: RedisOptions = {}): Promise<Redis> {
  const shown = redactUrl(url);
  let down = false;
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    ...(options.commandTimeoutMs === undefined ? {} : { commandTimeout: options.commandTimeoutMs }),
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 1_000),
    lazyConnect: true,
  });
  const lost = (why: string) => {
    if (down) return;
    down = true;
    options.log?.(`lmx: Redis at ${shown} is unavailable (${why}); retrying`);
  };
  redis.on("error", (error: Error) => lost(error.message));
  redis.on("close", () => {
    if (redis.status !== "end" && ready) lost("connection closed");
  });
  let ready = false;
  redis.on("ready", () => {
    if (down) options.log?.(`lmx: Redis at ${shown} is back`);
    down = false;
    ready = true;
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new SharedStateUnavailableError(`cannot connect to Redis at ${shown}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return redis;
}

/** Runs one Redis operation; a failure because Redis is away becomes a SharedStateUnavailableError. */
export async function redisCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw new SharedStateUnavailableError(`shared state unavailable (${what}): ${(error as Error).message}`, {
      cause: error,
    });
  }
}
