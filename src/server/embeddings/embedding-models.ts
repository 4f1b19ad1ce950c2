import OpenAI from "openai";
import type { PriceTable } from "../../accounting/prices.ts";
import { defaultPrices } from "../../providers/default-prices.ts";
import type { LoadedConfig } from "../../config/load-config.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import type { Embedder } from "../../embeddings/embedder.ts";
import { openaiEmbedder } from "../../embeddings/openai-embedder.ts";
import { boundedFetch } from "../../providers/resilience/bounded-fetch.ts";
import { sdkClientSettings } from "../../providers/sdk-client-settings.ts";
import { ModelNotFoundError } from "../../core/errors/model-not-found-error.ts";
import { isPlainModelName, type PlainRoute } from "../routes/plain-model-routes.ts";

export interface EmbeddingModelsOptions {
  config: Pick<LoadedConfig, "providers" | "env" | "prices" | "aliases">;
  /** Where plain names go (the chat routes: a route's target, else the default endpoint). */
  route: (name: string) => PlainRoute | undefined;
  /** Providers a client may name itself. */
  allowProviders: readonly string[];
  /** Embedders kept for reuse, the most recently used (default 64). */
  max?: number;
}

/** A request's `model` (and `dimensions`) → the embedder that serves it. */
export type EmbeddingModels = (model: string, dimensions?: number) => Embedder;

/**
 * Embedding models as clients name them: `openai:<model>`, a plain name (routed like chat models), or an
 * alias, each served by the OpenAI-compatible `/v1/embeddings` of the `openai` provider's endpoint
 * (its base URL and key, bounded replies). Only `openai:` embedders are served: others load local files.
 */
export function embeddingModels(options: EmbeddingModelsOptions): EmbeddingModels {
  const { config } = options;
  const made = new Map<string, Embedder>();
  const max = Math.max(1, options.max ?? 64);
  const prices: PriceTable = { ...defaultPrices, ...config.prices };
  const provider = config.providers.openai ?? {};
  let client: OpenAI | undefined;
  const sdk = () =>
    (client ??= new OpenAI({
      ...sdkClientSettings({
        baseURL: provider.baseURL ?? config.env.OPENAI_BASE_URL,
        apiKey: provider.apiKey ?? config.env.OPENAI_API_KEY,
        envPrefix: "OPENAI",
        env: config.env,
        noKey: "embeddings: the openai provider has no API key and no base URL",
      }),
      fetch: boundedFetch({
        provider: "openai",
        maxResponseBytes: provider.maxResponseBytes,
        idleTimeoutMs: provider.idleTimeoutMs,
      }),
    }));

  /** A spec the client chose (its own, or a plain name passed through): its provider must be allowed. */
  const clientSpec = (spec: string): string => {
    const named = /^([a-z][\w-]*):/.exec(spec)?.[1];
    if (named && !options.allowProviders.includes(named))
      throw new InvalidRequestError(`this server does not let clients name ${named}: models`, { param: "model" });
    return spec;
  };

  /** The operator's spec (a route or alias target) or the client's own. */
  const specOf = (model: string): string => {
    const name = model.trim();
    if (Object.hasOwn(config.aliases, name)) return config.aliases[name]!.trim();
    if (isPlainModelName(name)) {
      const routed = options.route(name);
      if (!routed) throw new ModelNotFoundError({ model: name, message: `unknown embedding model "${name}"` });
      return "spec" in routed ? routed.spec : clientSpec(routed.model);
    }
    return clientSpec(name);
  };

  return (model, dimensions) => {
    const spec = specOf(model);
    const upstream = /^openai:([^\s@>()]+)$/.exec(spec)?.[1];
    if (!upstream)
      throw new InvalidRequestError(
        `"${model}" is no embedding model this server serves: embeddings are openai:<model> (any OpenAI-compatible endpoint)`,
        { param: "model" },
      );
    const key = `${upstream}\u0000${dimensions ?? ""}`;
    const known = made.get(key);
    if (known) {
      made.delete(key);
      made.set(key, known);
      return known;
    }
    const embedder = openaiEmbedder({
      client: sdk(),
      model: upstream,
      dimensions,
      prices,
      retry: { retries: provider.retries ?? 2 },
      timeoutMs: provider.timeoutMs ?? 60_000,
    });
    if (made.size >= max) made.delete(made.keys().next().value!);
    made.set(key, embedder);
    return embedder;
  };
}
