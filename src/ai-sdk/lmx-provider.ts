import { NoSuchModelError, type LanguageModelV3, type ProviderV3 } from "@ai-sdk/provider";
import type { BudgetLimits } from "../budget/budget.ts";
import type { LoadedConfig } from "../config/load-config.ts";
import type { LM } from "../core/types.ts";
import { createLmxRuntime, type LmxRuntime } from "../runtime/create-lmx-runtime.ts";
import type { TechniqueRegistry } from "../techniques/registry.ts";
import { parseLMSpec, type SpecEnv } from "../techniques/spec/index.ts";
import { lmAsAiSdkModel } from "./lm-as-ai-sdk-model.ts";

export interface LmxProviderOptions {
  /** The runtime to serve (its aliases, default model, models, stores); default: one made from `config`. */
  runtime?: LmxRuntime;
  /** A loaded config, or the path of one (default: lmx.config.json / LMX_CONFIG), when no runtime is given. */
  config?: LoadedConfig | string;
  /** Model spec → LM (default: the runtime's resolver over the config). */
  resolveModel?: (spec: string) => LM;
  registry?: TechniqueRegistry;
  /** The model for specs that name only techniques (default: the runtime's, the config's defaultModel). */
  defaultModel?: string;
  /** Budget of each call (a call may also set `providerOptions.lmx.budget`). */
  budget?: BudgetLimits;
  seed?: number;
  onProgress?: (data: Record<string, unknown>) => void;
}

/** `lmx(spec)` gives an AI SDK model for any lmx LM spec; also a ProviderV3. */
export interface LmxProvider extends ProviderV3 {
  (spec: string): LanguageModelV3;
  languageModel(spec: string): LanguageModelV3;
  /** Releases the models the provider loaded (llama.cpp contexts); not needed for HTTP providers. */
  close(): Promise<void>;
}

/**
 * An AI SDK provider for lmx: `createLmx()("self-consistency(n=5)@openai:gpt-4o-mini")` is a
 * LanguageModelV3 running that technique. Specs may be aliases from the config, `TECHNIQUES@MODEL`,
 * plain models, or techniques over the default model.
 */
export function createLmx(options: LmxProviderOptions = {}): LmxProvider {
  const owned = options.runtime
    ? undefined
    : createLmxRuntime(options.config, {
        resolveModel: options.resolveModel,
        registry: options.registry,
        defaultModel: options.defaultModel,
      });
  const runtime = options.runtime ?? owned!;
  const env: SpecEnv = {
    ...runtime.specEnv,
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.resolveModel ? { resolveModel: options.resolveModel } : {}),
    ...(options.defaultModel ? { defaultModel: options.defaultModel } : {}),
  };
  const languageModel = (spec: string): LanguageModelV3 =>
    lmAsAiSdkModel(parseLMSpec(spec, env), {
      budget: options.budget,
      seed: options.seed,
      onProgress: options.onProgress,
    });
  const noSuch =
    (modelType: "embeddingModel" | "imageModel") =>
    (modelId: string): never => {
      throw new NoSuchModelError({
        modelId,
        modelType,
        message: `lmx provides language models only (asked for ${modelType} "${modelId}")`,
      });
    };
  return Object.assign((spec: string) => languageModel(spec), {
    specificationVersion: "v3" as const,
    languageModel,
    embeddingModel: noSuch("embeddingModel"),
    imageModel: noSuch("imageModel"),
    close: async () => owned?.close(),
  });
}
