import { z } from "zod";
import { ConfigurationError } from "../core/errors/configuration-error.ts";
import type { LoadedConfig } from "../config/load-config.ts";
import { keyBudgetSchema } from "./key-budget.ts";

const budgetCaps = z.strictObject({
  tokens: z.number().min(0).optional(),
  calls: z.number().min(0).optional(),
  cost_usd: z.number().min(0).optional(),
  time_ms: z.number().min(0).optional(),
});

/** Shortest key accepted: 16 characters leave no room for guessing (e.g. `openssl rand -hex 24`). */
export const MIN_KEY_LENGTH = 16;

const limits = z.strictObject({
  /** A request's deadline in ms (its time budget); a client's `lmx.budget.time_ms` may lower it, never raise it. */
  requestMs: z.number().int().min(1).default(300_000),
  /** Time to receive the whole body, before a concurrency slot is taken; slower senders get 408. */
  bodyReadMs: z.number().int().min(1).default(30_000),
  /** Deepest nesting of arrays and objects a body may have. */
  jsonDepth: z.number().int().min(2).max(1000).default(64),
  /**
   * Upstream calls one request may make (its calls budget; a client's `lmx.budget.calls` may lower it):
   * stacked techniques multiply, e.g. best-of-n > universal-self-consistency > self-refine made 320.
   */
  requestCalls: z.number().int().min(1).default(1000),
});

/** The `server` section of lmx.config.json. */
export const serverConfigSchema = z.strictObject({
  /** Bearer keys clients must send; none = loopback clients only. Each key sees only its own traces. */
  keys: z.array(z.string()).optional(),
  /** Keys that may also read every client's traces (the operator's); they are valid client keys too. */
  operatorKeys: z.array(z.string()).optional(),
  /** Origins (`https://app.example.com`) whose browser pages may call the API; any other `Origin` is refused. */
  corsOrigins: z.array(z.string().min(1)).default([]),
  /** Time and size limits of one request. */
  limits: limits.default({ requestMs: 300_000, bodyReadMs: 30_000, jsonDepth: 64, requestCalls: 1000 }),
  /** Largest `n` a request may ask for (also caps a technique's `n` option). */
  maxN: z.number().int().min(1).default(16),
  /** Caps on every request's budget (a request's own `lmx.budget` is clamped to them). */
  maxBudget: budgetCaps.optional(),
  /**
   * What each client key may spend per period, shared by every instance using the same Redis
   * (`redis` in the config); operator keys are not limited.
   */
  keyBudget: keyBudgetSchema.optional(),
  /** How many techniques deep a model spec may nest. */
  maxSpecDepth: z.number().int().min(0).default(4),
  /** Requests running at once; more are answered 429 with Retry-After. */
  maxConcurrent: z.number().int().min(1).default(64),
  /** Largest request body in bytes. */
  maxBodyBytes: z
    .number()
    .int()
    .min(1024)
    .default(4 * 1024 * 1024),
  /**
   * Providers a client may name in a request's model spec. Local ones (`llama:` loads files and
   * downloads models, `replay:` reads files) are off by default; aliases and the server's default
   * model may use any provider.
   */
  allowProviders: z.array(z.string().min(1)).default(["openai", "anthropic"]),
  /** Finished traces kept in memory for `/v1/traces/:id`. */
  traceCapacity: z.number().int().min(1).default(200),
});

export type ServerConfig = z.output<typeof serverConfigSchema>;
export type ServerConfigInput = z.input<typeof serverConfigSchema>;

/**
 * The server settings: the config file's `server` section, with `LMX_SERVER_KEYS` (comma-separated)
 * adding keys, and `overrides` (from code or the command line) on top. A key shorter than
 * MIN_KEY_LENGTH, or with spaces or commas in it, is a ConfigurationError (the key is not shown).
 */
export function serverConfigFrom(options: {
  config: Pick<LoadedConfig, "server" | "env">;
  overrides?: ServerConfigInput;
}): ServerConfig {
  const parsed = serverConfigSchema.safeParse({ ...options.config.server, ...options.overrides });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigurationError(
      `invalid server config at server.${issue.path.join(".") || "(top level)"}: ${issue.message}`,
    );
  }
  const fromEnv = (options.config.env.LMX_SERVER_KEYS ?? "")
    .split(",")
    .map((k) => k.trim())
    .filter(Boolean);
  const keys = [...(parsed.data.keys ?? []), ...fromEnv];
  checkKeys(keys, "server.keys / LMX_SERVER_KEYS");
  checkKeys(parsed.data.operatorKeys ?? [], "server.operatorKeys");
  const operatorKeys = parsed.data.operatorKeys?.length ? parsed.data.operatorKeys : undefined;
  const all = [...new Set([...keys, ...(operatorKeys ?? [])])];
  return { ...parsed.data, keys: all.length ? all : undefined, operatorKeys };
}

function checkKeys(keys: readonly string[], where: string): void {
  keys.forEach((key, i) => {
    if (key.length < MIN_KEY_LENGTH)
      throw new ConfigurationError(
        `${where}: key #${i + 1} has ${key.length} characters; keys need at least ${MIN_KEY_LENGTH} (make one with \`openssl rand -hex 24\`)`,
      );
    if (/[\s,]/.test(key))
      throw new ConfigurationError(`${where}: key #${i + 1} contains a space or a comma; keys are single words`);
  });
}
