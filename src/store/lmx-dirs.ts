import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** The user's folders for lmx's files when no config, flag or variable names a project folder. */
export interface LmxDirs {
  /** Traces, eval and tune results, document indexes, memory: `$XDG_STATE_HOME/lmx`, else `~/.local/state/lmx`. */
  state: string;
  /** The response cache and downloaded models: `$XDG_CACHE_HOME/lmx`, else `~/.cache/lmx`. */
  cache: string;
}

/** XDG base directories (relative values are ignored, as the spec says). */
export function lmxDirs(options: { env: NodeJS.ProcessEnv; home?: string }): LmxDirs {
  const { env, home = homedir() } = options;
  const base = (value: string | undefined, fallback: string) =>
    value && value.startsWith("/") ? resolve(value) : join(home, fallback);
  return {
    state: join(base(env.XDG_STATE_HOME, ".local/state"), "lmx"),
    cache: join(base(env.XDG_CACHE_HOME, ".cache"), "lmx"),
  };
}

/** The eval/tune results file when none is given: `<state>/eval.sqlite`, shared by `lmx eval`, `lmx tune`, `lmx trace`. */
export function defaultResultsPath(options: { env: NodeJS.ProcessEnv; home?: string }): string {
  return join(lmxDirs(options).state, "eval.sqlite");
}
