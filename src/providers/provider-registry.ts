import type { z } from "zod";
import { allProviders } from "./all.ts";
import type { ProviderDefinition } from "./provider-definition.ts";

export type { ProviderCreateOptions, ProviderDefinition } from "./provider-definition.ts";
/** @deprecated the old name of ProviderDefinition. */
export type ProviderEntry = ProviderDefinition;

/** Every provider a model spec can name, from src/providers/all.ts. Implementations load on first use. */
export const providerRegistry: readonly ProviderDefinition[] = allProviders;

/** The provider called `name`, if there is one. */
export function findProvider(name: string): ProviderDefinition | undefined {
  return providerRegistry.find((p) => p.name === name);
}

/** Names a named endpoint's `type` may take: the providers that speak a protocol other servers speak too. */
export const endpointTypes = allProviders.filter((p) => p.endpointType).map((p) => p.name) as [string, ...string[]];

type Providers = (typeof allProviders)[number];

/** lmx.config.json's `providers` section, as typed by the list: `{ openai?: …, llama?: … }`. */
export type ProviderSettingsConfig = {
  [P in Providers as P["name"]]?: z.output<P["settings"]>;
};
