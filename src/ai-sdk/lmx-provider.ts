import { NoSuchModelError, type LanguageModelV3, type ProviderV3 } from "@ai-sdk/provider";
import type { BudgetLimits } from "../budget/budget.ts";
import type { LoadedConfig } from "../config/load-config.ts";
import { loadConfig } from "../config/load-config.ts";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import type { LM } from "../core/types.ts";
import { createModelResolver } from "../providers/resolve-model.ts";
import { defaultRegistry, type TechniqueRegistry } from "../techniques/registry.ts";
import { parseLMSpec } from "../techniques/spec/index.ts";
import { lmAsAiSdkModel } from "./lm-as-ai-sdk-model.ts";

export interface LmxProviderOptions {
  /** A loaded config, or the path of one (default: lmx.config.json / LMX_CONFIG). */
  config?: LoadedConfig | string;
  /** Model spec → LM (default: lmx's resolver over the config). */
  resolveModel?: (spec: string) => LM;
  registry?: TechniqueRegistry;
  /** The model for specs that name only techniques (default: the config's defaultModel). */
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
  const config = typeof options.config === "object" ? options.config : loadConfig({ path: options.config });
  const owned = options.resolveModel ? undefined : createModelResolver({ config });
  const resolver = options.resolveModel ?? owned!;
  const registry = options.registry ?? defaultRegistry();
  const defaultModel = options.defaultModel ?? config.defaultModel;
  const expanding = new Set<string>();
  const env = {
    registry,
    defaultModel,
    // Aliases may stand wherever a model may (but not inside themselves).
    resolveModel: (spec: string): LM => {
      const alias = config.aliases[spec];
      if (alias === undefined) return resolver(spec);
      if (expanding.has(spec)) throw new InvalidRequestError(`alias "${spec}" refers to itself`, { param: "model" });
      expanding.add(spec);
      try {
        return parseLMSpec(alias, env);
      } finally {
        expanding.delete(spec);
      }
    },
  };
  const languageModel = (spec: string): LanguageModelV3 => {
    const lm = config.aliases[spec] !== undefined ? env.resolveModel(spec) : parseLMSpec(spec, env);
    return lmAsAiSdkModel(lm, { budget: options.budget, seed: options.seed, onProgress: options.onProgress });
  };
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
