import type { CacheStore } from "../cache/response-cache.ts";
import { SqliteCache, defaultCachePath } from "../cache/sqlite-cache.ts";
import { openStores, type Stores } from "../store/open-stores.ts";
import { storeUrl } from "../store/store-url.ts";
import { defaultResultsPath } from "../store/lmx-dirs.ts";
import { storeLocation } from "../store/store-location.ts";
import { defaultTraceStorePath } from "../store/trace-store/sqlite-trace-store.ts";
import { loadConfig, type LoadedConfig } from "../config/load-config.ts";
import { createRunContext } from "../core/context.ts";
import type { RunHost } from "../core/run-host.ts";
import type { LM, RunContext } from "../core/types.ts";
import { createModelResolver } from "../providers/resolve-model.ts";
import type { SharedLimits } from "../shared-state/shared-limits.ts";
import { defaultRegistry, type TechniqueRegistry } from "../techniques/registry.ts";
import type { OptionGrants } from "../techniques/spec/client-option-policy.ts";
import { buildTechniques, parseLMSpec, type SpecEnv } from "../techniques/spec/build-techniques.ts";
import { parseTechniqueSpec } from "../techniques/spec/parse-technique-spec.ts";
import { createRunHost, type LmxEnv } from "./create-run-host.ts";
import { runtimeLimits, type RuntimeLimits } from "./runtime-limits.ts";

export type { LmxEnv } from "./create-run-host.ts";
export type { RuntimeLimits } from "./runtime-limits.ts";

export interface LmxRuntimeOptions {
  /** The environment (API keys, LMX_INDEX, XDG folders...); default `process.env`, read here and nowhere below. */
  env?: LmxEnv;
  /** Folder relative paths resolve against when the config has no file (default: the process's). */
  cwd?: string;
  /** Response cache: `true` = the configured/default path, a string = that path (default: the config decides). */
  cache?: boolean | string;
  /** Model spec → base LM (default: lmx's resolver over the config's providers). */
  resolveModel?: (spec: string) => LM;
  registry?: TechniqueRegistry;
  /** The model for requests that name none or only techniques (default: the config's `defaultModel`). */
  defaultModel?: string;
  /** Every store (default: on the backend `LMX_STORE` or the config's `store` names, else SQLite files). */
  stores?: Stores;
  /** Endpoint limits shared with other instances (Redis, see openSharedState); default: this process's own. */
  sharedLimits?: SharedLimits;
}

/**
 * One lmx made from one configuration and environment: everything a CLI command, the proxy, the AI
 * SDK adapters, eval and tune need. Two runtimes in one process share nothing.
 */
export interface LmxRuntime {
  readonly config: LoadedConfig;
  readonly env: LmxEnv;
  readonly registry: TechniqueRegistry;
  /** Model spec → base LM (providers only; aliases are `lm`'s business). */
  readonly resolveModel: (spec: string) => LM;
  /** The model technique-only specs run on. */
  readonly defaultModel?: string;
  /** Named LM specs of the config. */
  readonly aliases: Readonly<Record<string, string>>;
  /** What `lmx serve` clients may name: the config's indexes, memory stores, demo sets and MCP servers. */
  readonly grants: OptionGrants;
  /** Stores, embedders, MCP servers and tool exchanges of this runtime, as techniques and tools get them. */
  readonly host: RunHost;
  readonly cache?: CacheStore;
  /** Every store, on one backend: SQLite files, or PostgreSQL when `store` names a database. */
  readonly stores: Stores;
  /** The operator's bounds: a run's default budget, the trace store's size, the sandbox pool's. */
  readonly limits: RuntimeLimits;
  /** The operator's spec environment: aliases, the default model, this runtime's host bound to every LM. */
  readonly specEnv: SpecEnv;
  /** An LM from a spec (`MODEL`, `TECHNIQUES@MODEL`, `TECHNIQUES`, an alias), `technique` applied on top. */
  lm(spec: string, technique?: string): LM;
  /** A fresh run context carrying this runtime's host. */
  runContext(options?: Parameters<typeof createRunContext>[0]): RunContext;
  close(): Promise<void>;
}

/**
 * Makes a runtime from a loaded config (or a config file's path; default: `./lmx.config.json` or
 * `LMX_CONFIG` of `env`). The only place below the CLI where the environment is read, and only when
 * `options.env` is not given.
 */
export function createLmxRuntime(config?: LoadedConfig | string, options: LmxRuntimeOptions = {}): LmxRuntime {
  const env: LmxEnv = options.env ?? (typeof config === "object" ? config.env : process.env);
  const cwd = options.cwd ?? process.cwd();
  const loaded = typeof config === "object" ? config : loadConfig({ path: config, cwd, env: env as NodeJS.ProcessEnv });
  const dirsEnv = env as NodeJS.ProcessEnv;
  const stores =
    options.stores ??
    openStores(storeUrl({ env: dirsEnv, config: loaded }), {
      cache: loaded.cache.path ?? defaultCachePath({ env: dirsEnv, cwd }),
      traces: defaultTraceStorePath({ env: dirsEnv }),
      evalResults: defaultResultsPath({ env: dirsEnv }),
      memory: (name) => storeLocation({ kind: "memory", value: name, config: loaded, env: dirsEnv }).path,
      index: (name) => storeLocation({ kind: "index", value: name, config: loaded, env: dirsEnv }).path,
    });
  const wantCache = options.cache ?? loaded.cache.enabled ?? false;
  // `cache: "FILE"` names a SQLite file whatever the store; otherwise the cache is the store's.
  const cache: CacheStore | undefined = wantCache
    ? typeof wantCache === "string"
      ? SqliteCache.open({ path: wantCache })
      : stores.cache()
    : undefined;
  const owned = options.resolveModel
    ? undefined
    : createModelResolver({ config: loaded, cache, sharedLimits: options.sharedLimits });
  const resolveModel = options.resolveModel ?? owned!;
  const registry = options.registry ?? defaultRegistry();
  const defaultModel = options.defaultModel ?? loaded.defaultModel;
  const host = createRunHost({ config: loaded, env, cwd, stores });
  const specEnv: SpecEnv = { registry, resolveModel, defaultModel, aliases: loaded.aliases, host };
  return {
    config: loaded,
    env,
    registry,
    resolveModel,
    defaultModel,
    aliases: loaded.aliases,
    grants: {
      indexes: loaded.indexes,
      memoryStores: loaded.memoryStores,
      demoSets: loaded.demoSets,
      mcpServers: { ...host.mcpServers },
    },
    host,
    cache,
    stores,
    limits: runtimeLimits(loaded),
    specEnv,
    lm(spec, technique) {
      const base = parseLMSpec(spec, specEnv);
      return technique ? buildTechniques(parseTechniqueSpec(technique), base, specEnv) : base;
    },
    runContext: (runOptions = {}) => ({ ...createRunContext(runOptions), host }),
    async close() {
      await owned?.close();
      await cache?.close();
      if (!options.stores) await stores.close();
    },
  };
}
