import type { LanguageModelV3, LanguageModelV3Middleware } from "@ai-sdk/provider";
import type { BudgetLimits } from "../budget/budget.ts";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import type { LM } from "../core/types.ts";
import { defaultRegistry, type TechniqueRegistry } from "../techniques/registry.ts";
import { buildTechniques, checkTechniqueSpec, parseTechniqueSpec, type SpecEnv } from "../techniques/spec/index.ts";
import { aiSdkModelAsLM, type AiSdkModelAsLMOptions } from "./ai-sdk-model-as-lm.ts";
import { createLmxRuntime, type LmxRuntime } from "../runtime/create-lmx-runtime.ts";
import { lmAsAiSdkModel } from "./lm-as-ai-sdk-model.ts";

export interface LmxMiddlewareOptions {
  /**
   * The runtime whose aliases, models and stores techniques use (model options such as cascade's
   * `models=[smart]` may name aliases); default: one made on first use from lmx.config.json and the environment.
   */
  runtime?: LmxRuntime;
  registry?: TechniqueRegistry;
  /** For techniques whose options name models (cascade stages...); default: the runtime's. */
  resolveModel?: (spec: string) => LM;
  /** Budget of each generate/stream call (a call may also set `providerOptions.lmx.budget`). */
  budget?: BudgetLimits;
  seed?: number;
  onProgress?: (data: Record<string, unknown>) => void;
  /** How the wrapped model is called: concurrency limit, retries, timeout, prices, cache. */
  provider?: AiSdkModelAsLMOptions;
}

/**
 * An AI SDK middleware that runs lmx techniques with the wrapped model as the inner LM:
 * `wrapLanguageModel({ model, middleware: lmxMiddleware("self-consistency(n=5)") })`. Every internal
 * call goes through lmx's accounting path; usage sums all of them.
 */
export function lmxMiddleware(spec: string, options: LmxMiddlewareOptions = {}): LanguageModelV3Middleware {
  const registry = options.registry ?? options.runtime?.registry ?? defaultRegistry();
  const ast = parseTechniqueSpec(spec);
  if (ast.model !== undefined)
    throw new InvalidRequestError(
      `lmxMiddleware takes techniques only; the wrapped model is the model (found "@${ast.model}")`,
      { param: "technique" },
    );
  if (ast.techniques.length === 0)
    throw new InvalidRequestError("lmxMiddleware needs at least one technique", { param: "technique" });
  checkTechniqueSpec(ast, registry);
  // The runtime is made on first use, so code that never calls the model never reads a config.
  let runtime = options.runtime;
  const specEnv = (): SpecEnv => {
    runtime ??= createLmxRuntime();
    return { ...runtime.specEnv, registry, ...(options.resolveModel ? { resolveModel: options.resolveModel } : {}) };
  };
  // One LM per wrapped model, so its concurrency limiter and cache are shared by every call.
  const built = new WeakMap<LanguageModelV3, LanguageModelV3>();
  const wrapped = (model: LanguageModelV3) => {
    let made = built.get(model);
    if (!made) {
      const lm = buildTechniques(ast, aiSdkModelAsLM(model, options.provider), specEnv());
      made = lmAsAiSdkModel(lm, {
        budget: options.budget,
        seed: options.seed,
        onProgress: options.onProgress,
        forwardProviderOptions: true,
        provider: model.provider,
      });
      built.set(model, made);
    }
    return made;
  };
  return {
    specificationVersion: "v3",
    wrapGenerate: ({ params, model }) => wrapped(model).doGenerate(params),
    wrapStream: ({ params, model }) => wrapped(model).doStream(params),
  };
}
