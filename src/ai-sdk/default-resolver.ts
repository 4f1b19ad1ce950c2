import { loadConfig } from "../config/load-config.ts";
import type { LM } from "../core/types.ts";
import { createModelResolver, type ModelResolver } from "../providers/resolve-model.ts";

/**
 * A model resolver over `lmx.config.json` (or LMX_CONFIG) and the environment, made on first use so
 * that code which never names a model spec never reads the config.
 */
export function lazyDefaultResolver(): (spec: string) => LM {
  let resolver: ModelResolver | undefined;
  return (spec) => (resolver ??= createModelResolver({ config: loadConfig() }))(spec);
}
