import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ConfigurationError } from "../core/errors/configuration-error.ts";
import { configSchema, type LmxConfig } from "./config-schema.ts";

export interface LoadedConfig extends LmxConfig {
  /** The file it came from, if any; relative paths in it resolve against its folder. */
  file?: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Reads `lmx.config.json` (from `path`, `LMX_CONFIG`, or the current folder if present) and the
 * environment. A missing default file is fine; a missing named file or a bad one is a clear error.
 */
export function loadConfig(options: { path?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const named = options.path ?? env.LMX_CONFIG;
  const file = named ? resolve(cwd, named) : resolve(cwd, "lmx.config.json");
  if (!existsSync(file)) {
    if (named) throw new ConfigurationError(`config file not found: ${file}`);
    return { ...configSchema.parse({}), env };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigurationError(`cannot read config ${file}: ${(error as Error).message}`, { cause: error });
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.join(".") : "(top level)";
    throw new ConfigurationError(`invalid config ${file} at ${where}: ${issue.message}`);
  }
  return { ...parsed.data, file, env, ...resolvePaths(parsed.data, dirname(file)) };
}

function resolvePaths(config: LmxConfig, base: string): Partial<LmxConfig> {
  const out: Partial<LmxConfig> = config.cache.path
    ? { cache: { ...config.cache, path: resolve(base, config.cache.path) } }
    : {};
  for (const key of ["indexes", "memoryStores", "demoSets"] as const) {
    const named = config[key];
    if (named) out[key] = Object.fromEntries(Object.entries(named).map(([name, path]) => [name, resolve(base, path)]));
  }
  return out;
}
