import { z } from "zod";
import { priceSchema } from "../../accounting/price-schema.ts";
import { apiCallSettings } from "../api-provider-settings.ts";
import { allProviders } from "../all.ts";
import { endpointTypes } from "../provider-registry.ts";

/** An endpoint's name, the provider part of `NAME:<model>` (as the proxy's allowProviders reads it). */
const endpointName = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,63}$/, "an endpoint name is lowercase letters, digits, - and _, starting with a letter");

/**
 * One named endpoint: another server speaking a built-in provider's protocol. Operator config only
 * (its baseURL and key are host resources); a client may name `NAME:<model>`, never define one.
 */
export const endpointSchema = z
  .strictObject({
    type: z.enum(endpointTypes),
    baseURL: z.url(),
    apiKey: z.string().min(1).optional(),
    /** The environment variable holding the key (read by the entry point, never by the provider). */
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      .optional(),
    /** USD per million tokens, keyed by model (the part after `NAME:`; a trailing `*` matches a prefix). */
    prices: z.record(z.string(), priceSchema).optional(),
    /** What this server can do, over the protocol's defaults (e.g. `{ "nativeN": false }` for llama.cpp). */
    capabilities: z
      .strictObject({
        nativeN: z.boolean().optional(),
        logprobs: z.boolean().optional(),
        tools: z.boolean().optional(),
        streaming: z.boolean().optional(),
        constrainedOutput: z.boolean().optional(),
      })
      .optional(),
    ...apiCallSettings,
  })
  .refine((e) => !(e.apiKey && e.apiKeyEnv), { message: "give apiKey or apiKeyEnv, not both" });

export type EndpointConfig = z.output<typeof endpointSchema>;

const builtIn = new Set<string>(allProviders.map((p) => p.name));

/** `endpoints` in lmx.config.json: names may not shadow a built-in provider. */
export const endpointsSchema = z
  .record(endpointName, endpointSchema)
  .refine((all) => Object.keys(all).every((name) => !builtIn.has(name)), {
    message: `an endpoint may not take a built-in provider's name (${[...builtIn].join(", ")})`,
  });
