import type { PriceTable } from "../accounting/prices.ts";
import type { ResponseCache } from "../cache/response-cache.ts";
import type { LoadedConfig } from "../config/load-config.ts";
import type { Capabilities, LM } from "../core/types.ts";
import type { Limiter } from "./resilience/limiter.ts";

export interface ProviderCreateOptions {
  /** The part of the spec after `provider:`. */
  model: string;
  config: LoadedConfig;
  settings: Record<string, unknown>;
  shared: { limiter: Limiter; prices: PriceTable; cache?: ResponseCache };
}

export interface ProviderEntry {
  name: string;
  description: string;
  /** What follows `name:` in an example spec. */
  example: string;
  capabilities: Capabilities;
  defaultConcurrency: number;
  create(options: ProviderCreateOptions): Promise<LM>;
}

const all: Capabilities = { nativeN: true, logprobs: true, tools: true, streaming: true, constrainedOutput: true };

/** Every provider a model spec can name. Implementations load on first use. */
export const providerRegistry: ProviderEntry[] = [
  {
    name: "openai",
    description: "any OpenAI-compatible server (OPENAI_BASE_URL, OPENAI_API_KEY)",
    example: "gpt-4o-mini",
    capabilities: all,
    defaultConcurrency: 16,
    async create(options) {
      const { openaiLM } = await import("./openai/openai-lm.ts");
      return openaiLM(
        apiProviderOptions(options, options.config.env.OPENAI_BASE_URL, options.config.env.OPENAI_API_KEY),
      );
    },
  },
  {
    name: "anthropic",
    description: "Anthropic's Messages API (ANTHROPIC_API_KEY)",
    example: "claude-3-5-haiku-latest",
    capabilities: { ...all, nativeN: false, logprobs: false, constrainedOutput: false },
    defaultConcurrency: 8,
    async create(options) {
      const { anthropicLM } = await import("./anthropic/anthropic-lm.ts");
      return anthropicLM(
        apiProviderOptions(options, options.config.env.ANTHROPIC_BASE_URL, options.config.env.ANTHROPIC_API_KEY),
      );
    },
  },
  {
    name: "llama",
    description: "embedded llama.cpp: a local .gguf file or hf:owner/repo/file.gguf (downloaded once)",
    example: "./model.gguf",
    capabilities: { ...all, nativeN: false, tools: false },
    defaultConcurrency: 1,
    async create({ model, config, settings, shared }) {
      const { llamaLM } = await import("./llama/llama-lm.ts");
      const s = settings as { threads?: number; contextSize?: number; modelsDir?: string; timeoutMs?: number };
      return llamaLM({
        model,
        threads: s.threads ?? (config.env.LMX_THREADS ? Number(config.env.LMX_THREADS) : undefined),
        contextSize: s.contextSize,
        cacheDir: s.modelsDir,
        env: config.env,
        limiter: shared.limiter,
        prices: shared.prices,
        cache: shared.cache,
        timeoutMs: s.timeoutMs ?? 600_000,
      });
    },
  },
  {
    name: "replay",
    description: "recorded samples from a *.bank.jsonl file (free, offline, reproducible)",
    example: "./cruxeval.bank.jsonl",
    capabilities: { nativeN: true, logprobs: false, tools: false, streaming: true, constrainedOutput: false },
    defaultConcurrency: 64,
    async create({ model, shared }) {
      const { replayLM } = await import("./replay/replay-lm.ts");
      return replayLM({ bank: model, limiter: shared.limiter, prices: shared.prices, cache: shared.cache });
    },
  },
];

/** Options for a hosted API provider: config settings first, then the provider's environment variables. */
function apiProviderOptions(
  { model, settings, shared, config: { env } }: ProviderCreateOptions,
  envBaseURL?: string,
  envApiKey?: string,
) {
  const s = settings as {
    baseURL?: string;
    apiKey?: string;
    timeoutMs?: number;
    retries?: number;
    totalTimeoutMs?: number;
    idleTimeoutMs?: number;
    maxResponseBytes?: number;
  };
  return {
    model,
    env,
    baseURL: s.baseURL ?? envBaseURL,
    apiKey: s.apiKey ?? envApiKey,
    limiter: shared.limiter,
    prices: shared.prices,
    cache: shared.cache,
    timeoutMs: s.timeoutMs,
    totalTimeoutMs: s.totalTimeoutMs,
    idleTimeoutMs: s.idleTimeoutMs,
    maxResponseBytes: s.maxResponseBytes,
    retry: s.retries === undefined ? undefined : { retries: s.retries },
  };
}
