import type { z } from "zod";
import type { PriceTable } from "../accounting/prices.ts";
import type { ResponseCache } from "../cache/response-cache.ts";
import type { Capabilities, LM } from "../core/types.ts";
import type { CallSlots } from "./resilience/call-slots.ts";

/** What a provider's `create` gets: everything explicit, nothing read from the process. */
export interface ProviderCreateOptions<Settings> {
  /** The part of the spec after `name:`. */
  model: string;
  /** The name the spec used: the provider's own, or a named endpoint's (it prefixes ids, prices, spans). */
  name: string;
  /** This provider's (or endpoint's) settings, already checked against `settings`. */
  settings: Settings;
  /** The environment the entry point chose to pass (a provider's own variables, e.g. OPENAI_BASE_URL). */
  env: Readonly<Record<string, string | undefined>>;
  /** Capabilities an endpoint's config states over the provider's own. */
  capabilities?: Partial<Capabilities>;
  shared: { limiter: CallSlots; prices: PriceTable; cache?: ResponseCache };
}

/**
 * One provider, as its folder exports it: a model spec `name:<model>` reaches it, lmx.config.json's
 * `providers.<name>` holds its settings (checked by `settings`), and src/providers/all.ts lists it.
 */
export interface ProviderDefinition<Name extends string = string, Settings extends z.ZodType = z.ZodType> {
  name: Name;
  description: string;
  /** What follows `name:` in an example spec. */
  example: string;
  capabilities: Capabilities;
  defaultConcurrency: number;
  /** List prices, USD per million tokens, keyed by model (a trailing `*` matches a prefix); free models say so. */
  prices?: PriceTable;
  /** The settings lmx.config.json may hold under `providers.<name>` (a strict object). */
  settings: Settings;
  /** Whether a named endpoint (`endpoints.NAME.type`) may speak this provider's protocol. */
  endpointType?: boolean;
  /** Makes the LM; implementations load here, on first use, never with `import("lmx")`. */
  create(options: ProviderCreateOptions<z.output<Settings>>): Promise<LM>;
}

/** Types a provider definition (its name stays a literal, for the config schema's type). */
export function providerDefinition<const Name extends string, Settings extends z.ZodType>(
  definition: ProviderDefinition<Name, Settings>,
): ProviderDefinition<Name, Settings> {
  return definition;
}
