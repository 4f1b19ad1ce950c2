import { ConfigurationError } from "../core/errors/configuration-error.ts";
import { boundedFetch, type BoundedFetchOptions } from "./resilience/bounded-fetch.ts";

export interface SdkClientSettingsOptions {
  baseURL?: string;
  apiKey?: string;
  /** The environment's prefix: "OPENAI" reads OPENAI_BASE_URL, OPENAI_API_KEY and OPENAI_LOG. */
  envPrefix: string;
  /** The ConfigurationError's text when there is neither an API key nor a base URL. */
  noKey: string;
  /** Where `<PREFIX>_BASE_URL`, `_API_KEY` and `_LOG` are read (the caller's environment, never process.env here). */
  env: Readonly<Record<string, string | undefined>>;
}

export interface SdkClientSettings {
  apiKey: string;
  baseURL: string | undefined;
  maxRetries: 0;
  timeout: number;
  logLevel: "off" | undefined;
}

/** The longest timer Node allows: lmx owns timeouts, so an SDK's must never fire first (per client and per call). */
export const NO_SDK_TIMEOUT = 2_147_483_647;

/**
 * The settings of an official SDK client (OpenAI, Anthropic) as lmx uses it: base URL and API key
 * from the options, else `<PREFIX>_BASE_URL` / `<PREFIX>_API_KEY`; a placeholder key when only a base
 * URL is set (local servers need none, the SDKs insist on one); no SDK retries or timeouts, since
 * lmx owns both; and SDK logging off unless `<PREFIX>_LOG` is set, since lmx reports unparsable
 * events itself as typed errors.
 */
export function sdkClientSettings(options: SdkClientSettingsOptions): SdkClientSettings {
  const env = (name: string) => variable(options.env, name);
  const baseURL = options.baseURL ?? env(`${options.envPrefix}_BASE_URL`);
  let apiKey = options.apiKey ?? env(`${options.envPrefix}_API_KEY`);
  if (!apiKey) {
    if (!baseURL) throw new ConfigurationError(options.noKey);
    apiKey = "lmx-no-key";
  }
  return {
    apiKey,
    baseURL,
    maxRetries: 0,
    timeout: NO_SDK_TIMEOUT,
    logLevel: env(`${options.envPrefix}_LOG`) ? undefined : "off",
  };
}

/** An environment variable, trimmed; empty counts as unset. */
function variable(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/**
 * An official SDK's client, made once its module has loaded (SDKs load on the first call, not with
 * `import("lmx")`), with `settings` read now (a missing key fails at construction) and every reply
 * fetched through `boundedFetch` (size cap, idle timeout). A load failure surfaces on the first call.
 */
export function lazySdkClient<C>(options: {
  load: () => Promise<{ default: new (settings: SdkClientSettings & { fetch: typeof fetch }) => C }>;
  settings: SdkClientSettings;
  bounds: BoundedFetchOptions;
}): Promise<C> {
  const fetch = boundedFetch(options.bounds);
  const made = options.load().then(({ default: Client }) => new Client({ ...options.settings, fetch }));
  made.catch(() => {});
  return made;
}
