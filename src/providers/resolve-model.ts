import type { ResponseCache } from "../cache/response-cache.ts";
import type { LoadedConfig } from "../config/load-config.ts";
import { ConfigurationError } from "../core/errors/configuration-error.ts";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import type { LM } from "../core/types.ts";
import { defaultPrices } from "./default-prices.ts";
import { lazyLM } from "./lazy-lm.ts";
import { providerTarget, type ProviderTarget } from "./endpoints/provider-target.ts";
import type { CallSlots } from "./resilience/call-slots.ts";
import type { SharedLimits } from "../shared-state/shared-limits.ts";
import { memorySharedLimits } from "../shared-state/memory-shared-limits.ts";
import { sharedCallSlots } from "../shared-state/shared-call-slots.ts";
import { providerRegistry } from "./provider-registry.ts";
import { Limiter } from "./resilience/limiter.ts";

type Closable = LM & { driver?: { close?: () => Promise<void> } };

/** Model LMs a resolver keeps by default. */
export const DEFAULT_MAX_MODELS = 256;

export type ModelResolver = ((spec: string) => LM) & { close(): Promise<void> };

/**
 * Turns model spec strings (`openai:gpt-4o-mini`, `anthropic:claude-...`, `llama:./m.gguf`,
 * `llama:hf:owner/repo/file.gguf`, `replay:bank.jsonl`) into LMs. One LM per spec and one concurrency
 * limiter per provider are shared by everything the resolver hands out; the LMs are kept in an LRU of
 * `maxModels`, so clients naming ever new models cannot grow memory (a dropped spec is made again).
 */
export function createModelResolver(options: {
  config: LoadedConfig;
  cache?: ResponseCache;
  /** Model LMs kept for reuse, the most recently used (default 256); each holds an SDK client. */
  maxModels?: number;
  /**
   * Limits shared with other instances (Redis): an endpoint's `concurrency` then holds across all of
   * them, as do its per-minute limits. Without it, per-minute limits hold in this process.
   */
  sharedLimits?: SharedLimits;
}): ModelResolver {
  const { config, cache } = options;
  const maxModels = Math.max(1, options.maxModels ?? DEFAULT_MAX_MODELS);
  const made = new Map<string, LM & { load(): Promise<LM> }>();
  /** Loaded LMs holding native resources (llama): never dropped, closed by close(). */
  const closable = new Map<string, Closable>();
  const limiters = new Map<string, CallSlots>();
  const slotsOf = (target: ProviderTarget): CallSlots => {
    const local = new Limiter(target.concurrency);
    const { requestsPerMinute, tokensPerMinute } = target.rates;
    if (!options.sharedLimits && !requestsPerMinute && !tokensPerMinute) return local;
    return sharedCallSlots({
      local,
      limits: options.sharedLimits ?? (ownLimits ??= memorySharedLimits()),
      scope: `endpoint:${target.name}`,
      concurrency: options.sharedLimits ? target.concurrency : undefined,
      requestsPerMinute,
      tokensPerMinute,
    });
  };
  let ownLimits: SharedLimits | undefined;
  const prices = { ...defaultPrices, ...config.prices };

  const resolve = (spec: string): LM => {
    const trimmed = spec.trim();
    const existing = made.get(trimmed);
    if (existing) {
      made.delete(trimmed);
      made.set(trimmed, existing);
      return existing;
    }
    const colon = trimmed.indexOf(":");
    const providerName = colon > 0 ? trimmed.slice(0, colon) : "";
    const rest = colon > 0 ? trimmed.slice(colon + 1) : "";
    const target = providerName ? providerTarget(providerName, config) : undefined;
    if (!target || !rest) {
      const endpoints = Object.keys(config.endpoints ?? {}).map((name) => `${name}:<model>`);
      const known = [...providerRegistry.map((p) => `${p.name}:${p.example}`), ...endpoints].join(", ");
      const hint = !providerName && trimmed ? ` (did you mean openai:${trimmed}?)` : "";
      throw new InvalidRequestError(
        `unknown model spec "${spec}"${hint}; a model spec is provider:model, one of ${known}`,
        { param: "model" },
      );
    }
    let limiter = limiters.get(target.name);
    if (!limiter) limiters.set(target.name, (limiter = slotsOf(target)));
    const lm = lazyLM(trimmed, target.capabilities, async () => {
      const inner = await target.definition.create({
        model: rest,
        name: target.name,
        settings: target.definition.settings.parse(target.settings),
        env: target.env,
        capabilities: target.capabilities,
        shared: { limiter: limiter!, prices: { ...prices, ...target.prices }, cache },
      });
      if ((inner as Closable).driver?.close) closable.set(trimmed, inner as Closable);
      return inner;
    });
    made.set(trimmed, lm);
    evict();
    return lm;
  };

  /** Drops the least recently used LMs past the cap; one holding native resources stays (operator-named, few). */
  const evict = () => {
    for (const key of made.keys()) {
      if (made.size <= maxModels) return;
      if (!closable.has(key)) made.delete(key);
    }
  };

  return Object.assign(resolve, {
    async close() {
      for (const inner of closable.values()) await inner.driver?.close?.();
      closable.clear();
      made.clear();
    },
  });
}

/** The model `lmx ask` uses when none is named: config, then LMX_MODEL, then whichever API is configured, else embedded llama.cpp. */
export async function defaultModelSpec(config: LoadedConfig): Promise<string> {
  const env = config.env;
  if (config.defaultModel) return config.defaultModel;
  if (env.LMX_MODEL) return env.LMX_MODEL;
  if (env.OPENAI_BASE_URL || env.OPENAI_API_KEY || config.providers.openai?.baseURL || config.providers.openai?.apiKey)
    return `openai:${env.OPENAI_MODEL ?? "gpt-4o-mini"}`;
  if (env.ANTHROPIC_API_KEY || config.providers.anthropic?.apiKey)
    return `anthropic:${env.ANTHROPIC_MODEL ?? "claude-3-5-haiku-latest"}`;
  const { DEFAULT_LLAMA_MODEL } = await import("./llama/default-model.ts").catch(() => {
    throw new ConfigurationError("no model configured: set OPENAI_BASE_URL, ANTHROPIC_API_KEY or pass --model");
  });
  return `llama:${DEFAULT_LLAMA_MODEL}`;
}
