import { z } from "zod";
import type { SharedStateSettings } from "./open-shared-state.ts";

/** The config's `redis`: a URL, or `{ url, failOpen, prefix, commandTimeoutMs }`. */
export const redisConfigSchema = z.union([
  z.string().min(1),
  z.strictObject({
    url: z.string().min(1),
    failOpen: z.boolean().optional(),
    prefix: z.string().optional(),
    commandTimeoutMs: z.number().int().min(50).max(60_000).optional(),
  }),
]);

/** Where instances share state: `LMX_REDIS` over the config's `redis`; nothing set = this process alone. */
export function sharedStateSettings(config: {
  redis?: z.output<typeof redisConfigSchema>;
  env: Record<string, string | undefined>;
}): SharedStateSettings {
  const fromConfig: SharedStateSettings =
    typeof config.redis === "string" ? { url: config.redis } : (config.redis ?? {});
  const url = config.env.LMX_REDIS?.trim() || fromConfig.url;
  return { ...fromConfig, url };
}
