import { prefixedPrices, type PriceTable } from "../../accounting/prices.ts";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import type { Capabilities } from "../../core/types.ts";
import type { ProviderDefinition } from "../provider-definition.ts";
import { findProvider } from "../provider-registry.ts";
import type { EndpointConfig } from "./endpoint-config.ts";

/** What a spec's provider name stands for: a built-in provider, or a named endpoint over one. */
export interface ProviderTarget {
  name: string;
  definition: ProviderDefinition;
  settings: Record<string, unknown>;
  env: Readonly<Record<string, string | undefined>>;
  capabilities: Capabilities;
  /** Prices of this target keyed `name:model`, over the config's. */
  prices: PriceTable;
  concurrency: number;
  /** Per-minute limits of this target (operator settings). */
  rates: { requestsPerMinute?: number; tokensPerMinute?: number };
}

/**
 * Finds `name` among the built-in providers, then the config's named endpoints. An endpoint gets
 * only its own settings: no provider environment variable (OPENAI_API_KEY …) reaches its server, and
 * its key comes from `apiKey` or the variable `apiKeyEnv` names in `env` (the entry point's map).
 */
export function providerTarget(
  name: string,
  config: {
    providers: Record<string, unknown>;
    endpoints?: Record<string, EndpointConfig>;
    env: Readonly<Record<string, string | undefined>>;
  },
): ProviderTarget | undefined {
  const builtIn = findProvider(name);
  if (builtIn) {
    const settings = (config.providers[name] ?? {}) as Record<string, unknown> & {
      concurrency?: number;
      requestsPerMinute?: number;
      tokensPerMinute?: number;
    };
    return {
      name,
      definition: builtIn,
      settings,
      env: config.env,
      capabilities: builtIn.capabilities,
      prices: {},
      concurrency: settings.concurrency ?? builtIn.defaultConcurrency,
      rates: { requestsPerMinute: settings.requestsPerMinute, tokensPerMinute: settings.tokensPerMinute },
    };
  }
  const endpoint = config.endpoints && Object.hasOwn(config.endpoints, name) ? config.endpoints[name] : undefined;
  if (!endpoint) return undefined;
  const definition = findProvider(endpoint.type)!;
  const { type: _type, apiKeyEnv, prices, capabilities, concurrency, ...settings } = endpoint;
  return {
    name,
    definition,
    // A placeholder key when none is set, so the SDK never falls back to the built-in provider's variable.
    settings: { ...settings, apiKey: endpointKey(name, endpoint, config.env) ?? "lmx-no-key" },
    env: {},
    capabilities: { ...definition.capabilities, ...capabilities },
    prices: prefixedPrices(name, prices),
    concurrency: concurrency ?? definition.defaultConcurrency,
    rates: { requestsPerMinute: settings.requestsPerMinute, tokensPerMinute: settings.tokensPerMinute },
  };
}

function endpointKey(
  name: string,
  endpoint: EndpointConfig,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (endpoint.apiKey) return endpoint.apiKey;
  if (!endpoint.apiKeyEnv) return undefined;
  const key = env[endpoint.apiKeyEnv]?.trim();
  if (!key) throw new ConfigurationError(`endpoint ${name}: ${endpoint.apiKeyEnv} (its apiKeyEnv) is not set`);
  return key;
}
