import { loadConfig, type LoadedConfig } from "../config/load-config.ts";
import type { SharedLimits } from "../shared-state/shared-limits.ts";
import { configureSandboxPool } from "../sandbox/sandbox-pool.ts";
import { createLmxRuntime, type LmxRuntime } from "../runtime/create-lmx-runtime.ts";

export interface RuntimeOptions {
  config?: string;
  /** `true` = the configured/default cache path; a string = that path; false/undefined = config decides. */
  cache?: boolean | string;
  /** The model technique-only specs run on (default: the config's). */
  defaultModel?: string;
  /** The config already loaded from `config` (lmx serve reads its `redis` first). */
  loaded?: LoadedConfig;
  /** Endpoint limits shared with other instances (lmx serve on Redis). */
  sharedLimits?: SharedLimits;
}

/** What every command needs: the runtime over `-c` (or LMX_CONFIG) and the process's environment. */
export type Runtime = LmxRuntime;

/** The CLI's entry point to lmx: the only place the commands read `process.env` from. */
export function openRuntime(options: RuntimeOptions = {}): Runtime {
  const config = options.loaded ?? loadConfig({ path: options.config, env: process.env });
  const runtime = createLmxRuntime(config, {
    env: process.env,
    cache: options.cache,
    defaultModel: options.defaultModel,
    sharedLimits: options.sharedLimits,
  });
  // The pool bounds the whole process; one CLI command has one runtime, so its config sets it.
  if (config.sandbox) configureSandboxPool(runtime.limits.sandbox);
  return runtime;
}
