import { z } from "zod";
import { ConfigurationError } from "../core/errors/configuration-error.ts";
import type { LoadedConfig } from "../config/load-config.ts";

const budgetCaps = z.strictObject({
  tokens: z.number().min(0).optional(),
  calls: z.number().min(0).optional(),
  cost_usd: z.number().min(0).optional(),
  time_ms: z.number().min(0).optional(),
});

/** The `server` section of lmx.config.json. */
export const serverConfigSchema = z.strictObject({
  /** Bearer keys clients must send; none = loopback clients only. */
  keys: z.array(z.string().min(8)).optional(),
  /** Largest `n` a request may ask for (also caps a technique's `n` option). */
  maxN: z.number().int().min(1).default(16),
  /** Caps on every request's budget (a request's own `lmx.budget` is clamped to them). */
  maxBudget: budgetCaps.optional(),
  /** How many techniques deep a model spec may nest. */
  maxSpecDepth: z.number().int().min(0).default(4),
  /** Requests running at once; more are answered 429 with Retry-After. */
  maxConcurrent: z.number().int().min(1).default(64),
  /** Largest request body in bytes. */
  maxBodyBytes: z.number().int().min(1024).default(4 * 1024 * 1024),
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
 * adding keys, and `overrides` (from code or the command line) on top.
 */
export function serverConfigFrom(options: { config: Pick<LoadedConfig, "server" | "env">; overrides?: ServerConfigInput }): ServerConfig {
  const parsed = serverConfigSchema.safeParse({ ...options.config.server, ...options.overrides });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigurationError(`invalid server config at server.${issue.path.join(".") || "(top level)"}: ${issue.message}`);
  }
  const fromEnv = (options.config.env.LMX_SERVER_KEYS ?? "").split(",").map((k) => k.trim()).filter(Boolean);
  const keys = [...(parsed.data.keys ?? []), ...fromEnv];
  return { ...parsed.data, keys: keys.length ? keys : undefined };
}
