import type { CacheStore } from "../cache/response-cache.ts";
import { SqliteCache, defaultCachePath } from "../cache/sqlite-cache.ts";
import { openStores, type Stores } from "../store/open-stores.ts";
import { storeUrl } from "../store/store-url.ts";
import { defaultResultsPath } from "../store/lmx-dirs.ts";
import { storeLocation } from "../store/store-location.ts";
import { defaultTraceStorePath } from "../store/trace-store/sqlite-trace-store.ts";
import { loadConfig, type LoadedConfig } from "../config/load-config.ts";
import type { LM } from "../core/types.ts";
import { createModelResolver, type ModelResolver } from "../providers/resolve-model.ts";
import { defaultRegistry } from "../techniques/registry.ts";
import { buildTechniques, parseLMSpec, parseTechniqueSpec, type SpecEnv } from "../techniques/spec/index.ts";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import { configureSandboxPool } from "../sandbox/sandbox-pool.ts";

export interface RuntimeOptions {
  config?: string;
  /** `true` = the configured/default cache path; a string = that path; false/undefined = config decides. */
  cache?: boolean | string;
}

/** What every command needs: configuration, the model resolver, the technique registry, the cache. */
export interface Runtime {
  config: LoadedConfig;
  resolveModel: ModelResolver;
  cache?: CacheStore;
  /** Every store, on the backend the `store` setting names (LMX_STORE, then the config's `store`). */
  stores: Stores;
  /** Resolves model specs and aliases for the spec language. */
  env: SpecEnv;
  /** An LM spec (`MODEL`, `TECHNIQUES@MODEL`, an alias) with `technique` applied on top, if given. */
  buildLM(model: string, technique?: string): LM;
  close(): Promise<void>;
}

export function openRuntime(options: RuntimeOptions = {}): Runtime {
  const config = loadConfig({ path: options.config });
  if (config.sandbox) {
    const { maxConcurrent, maxMemoryMb, maxQueued } = config.sandbox;
    configureSandboxPool({ maxConcurrent, maxQueued, maxMemoryBytes: maxMemoryMb && maxMemoryMb * 1024 * 1024 });
  }
  const stores = openStores(storeUrl({ env: config.env, config }), {
    cache: config.cache.path ?? defaultCachePath({ env: config.env }),
    traces: defaultTraceStorePath({ env: config.env }),
    evalResults: defaultResultsPath({ env: config.env }),
    memory: (name) => storeLocation({ kind: "memory", value: name, config, env: config.env }).path,
    index: (name) => storeLocation({ kind: "index", value: name, config, env: config.env }).path,
  });
  const wantCache = options.cache ?? config.cache.enabled ?? false;
  // `--cache FILE` names a SQLite file whatever the store; otherwise the cache is the store's.
  const cache = wantCache
    ? typeof wantCache === "string"
      ? SqliteCache.open({ path: wantCache })
      : stores.cache()
    : undefined;
  const resolveModel = createModelResolver({ config, cache });
  const registry = defaultRegistry();
  const expanding: string[] = [];
  // Aliases may name whole LM specs (`"smart": "self-consistency(n=5)@openai:gpt-4o-mini"`).
  const env: SpecEnv = {
    registry,
    resolveModel(spec) {
      const alias = config.aliases[spec.trim()];
      if (alias === undefined) return resolveModel(spec);
      if (expanding.includes(spec))
        throw new InvalidRequestError(`alias "${spec}" refers to itself (${[...expanding, spec].join(" -> ")})`, {
          param: "model",
        });
      expanding.push(spec);
      try {
        return parseLMSpec(alias, env);
      } finally {
        expanding.pop();
      }
    },
  };
  return {
    config,
    resolveModel,
    cache,
    stores,
    env,
    buildLM(model, technique) {
      const base = parseLMSpec(model, env);
      if (!technique) return base;
      return buildTechniques(parseTechniqueSpec(technique), base, env);
    },
    async close() {
      await resolveModel.close();
      await cache?.close();
      await stores.close();
    },
  };
}
