import { basename, dirname, extname, resolve } from "node:path";
import type { LoadedConfig } from "../config/load-config.ts";
import { lmxDirs } from "./lmx-dirs.ts";

export type StoreKind = "index" | "memory";

export interface StoreLocation {
  /** Absolute path of the SQLite file. */
  path: string;
  /** Named by the user (option, environment or config) rather than the built-in default. */
  explicit: boolean;
}

const ENV = { index: "LMX_INDEX", memory: "LMX_MEMORY" } as const;
const DEFAULT_FILE = { index: "index.sqlite", memory: "memory.sqlite" } as const;
const NAMED_SUFFIX = { index: ".sqlite", memory: ".memory.sqlite" } as const;

/**
 * Where a store lives. `value` is a path, or a bare name (`docs`) for `docs.sqlite` in the state
 * folder (`docs.memory.sqlite` for memory; see lmxDirs); without it: `$LMX_INDEX` / `$LMX_MEMORY`, then
 * `index.path` / `memory.path` of the config (relative to the config file), then `index.sqlite`
 * / `memory.sqlite` in the state folder.
 */
export function storeLocation(options: {
  kind: StoreKind;
  value?: string;
  config?: Pick<LoadedConfig, "index" | "memory" | "file">;
  /** The caller's environment (LMX_INDEX, LMX_MEMORY, XDG_STATE_HOME); nothing below the entry points reads process.env. */
  env: NodeJS.ProcessEnv;
  cwd?: string;
}): StoreLocation {
  const { kind, value, config, env, cwd = process.cwd() } = options;
  if (value) {
    return {
      path: isStoreName(value) ? resolve(lmxDirs({ env }).state, value + NAMED_SUFFIX[kind]) : resolve(cwd, value),
      explicit: true,
    };
  }
  const fromEnv = env[ENV[kind]]?.trim();
  if (fromEnv) return { path: resolve(cwd, fromEnv), explicit: true };
  const fromConfig = config?.[kind]?.path;
  if (fromConfig) return { path: resolve(config.file ? dirname(config.file) : cwd, fromConfig), explicit: true };
  return { path: resolve(lmxDirs({ env }).state, DEFAULT_FILE[kind]), explicit: false };
}

/** Whether `value` is a bare store name (`docs`) rather than a path (`./docs.sqlite`, `/x/docs`). */
export function isStoreName(value: string): boolean {
  return basename(value) === value && extname(value) === "" && value !== "." && value !== "..";
}

/**
 * The name a store has in a database (PostgreSQL) for its location: the file name without its
 * suffix, so the default (`index.sqlite`: "index"), a name (`docs` → `docs.sqlite`: "docs") and an
 * operator's grant (`/srv/docs.sqlite`: "docs") map to the same rows on every instance.
 */
export function storeName(kind: StoreKind, path: string): string {
  const file = basename(path);
  for (const suffix of [NAMED_SUFFIX[kind], ".sqlite", extname(file)])
    if (suffix && file.endsWith(suffix) && file.length > suffix.length) return file.slice(0, -suffix.length);
  return file;
}
