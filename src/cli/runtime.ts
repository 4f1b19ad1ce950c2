import { SqliteCache, defaultCachePath } from "../cache/sqlite-cache.ts";
import { loadConfig, type LoadedConfig } from "../config/load-config.ts";
import type { LM } from "../core/types.ts";
import { createModelResolver, type ModelResolver } from "../providers/resolve-model.ts";
import { defaultRegistry } from "../techniques/registry.ts";
import { buildTechniques, parseTechniqueSpec } from "../techniques/spec/index.ts";

export interface RuntimeOptions {
  config?: string;
  /** `true` = the configured/default cache path; a string = that path; false/undefined = config decides. */
  cache?: boolean | string;
}

/** What every command needs: configuration, the model resolver, the technique registry, the cache. */
export interface Runtime {
  config: LoadedConfig;
  resolveModel: ModelResolver;
  cache?: SqliteCache;
  /** `model` (a spec or alias) with `technique` (a spec) applied on top, if given. */
  buildLM(model: string, technique?: string): LM;
  close(): Promise<void>;
}

export function openRuntime(options: RuntimeOptions = {}): Runtime {
  const config = loadConfig({ path: options.config });
  const wantCache = options.cache ?? config.cache.enabled ?? false;
  const cache = wantCache
    ? SqliteCache.open({ path: typeof wantCache === "string" ? wantCache : (config.cache.path ?? defaultCachePath()) })
    : undefined;
  const resolveModel = createModelResolver({ config, cache });
  const registry = defaultRegistry();
  return {
    config,
    resolveModel,
    cache,
    buildLM(model, technique) {
      const base = resolveModel(config.aliases[model] ?? model);
      if (!technique) return base;
      return buildTechniques(parseTechniqueSpec(technique), base, { registry, resolveModel });
    },
    async close() {
      await resolveModel.close();
      cache?.close();
    },
  };
}
