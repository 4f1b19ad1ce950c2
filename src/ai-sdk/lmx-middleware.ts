import type { LanguageModelV3, LanguageModelV3Middleware } from "@ai-sdk/provider";
import type { BudgetLimits } from "../budget/budget.ts";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import type { LM } from "../core/types.ts";
import { defaultRegistry, type TechniqueRegistry } from "../techniques/registry.ts";
import { buildTechniques, checkTechniqueSpec, parseTechniqueSpec } from "../techniques/spec/index.ts";
import { aiSdkModelAsLM, type AiSdkModelAsLMOptions } from "./ai-sdk-model-as-lm.ts";
import { lazyDefaultResolver } from "./default-resolver.ts";
import { lmAsAiSdkModel } from "./lm-as-ai-sdk-model.ts";

export interface LmxMiddlewareOptions {
  registry?: TechniqueRegistry;
  /** For techniques whose options name models (cascade stages...); default: lmx.config.json. */
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
  const registry = options.registry ?? defaultRegistry();
  const ast = parseTechniqueSpec(spec);
  if (ast.model !== undefined)
    throw new InvalidRequestError(
      `lmxMiddleware takes techniques only; the wrapped model is the model (found "@${ast.model}")`,
      { param: "technique" },
    );
  if (ast.techniques.length === 0)
    throw new InvalidRequestError("lmxMiddleware needs at least one technique", { param: "technique" });
  checkTechniqueSpec(ast, registry);
  const env = { registry, resolveModel: options.resolveModel ?? lazyDefaultResolver() };
  // One LM per wrapped model, so its concurrency limiter and cache are shared by every call.
  const built = new WeakMap<LanguageModelV3, LanguageModelV3>();
  const wrapped = (model: LanguageModelV3) => {
    let made = built.get(model);
    if (!made) {
      const lm = buildTechniques(ast, aiSdkModelAsLM(model, options.provider), env);
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
