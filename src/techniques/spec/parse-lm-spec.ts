import { unknownTechniqueError } from "../registry.ts";
import { buildTechniques, checkTechniqueSpec, type SpecEnv } from "./build-techniques.ts";
import { didYouMean } from "./closest-names.ts";
import type { LM } from "../../core/types.ts";
import { parseTechniqueSpec } from "./parse-technique-spec.ts";
import { specError } from "./spec-error.ts";

/**
 * An LM from its spec: `TECHNIQUES@MODEL`, a plain `MODEL`, or `TECHNIQUES` over `env.defaultModel`.
 * A lone word that is no technique is tried as a model (aliases), unless it looks like a typo of one.
 * Techniques are checked before any model is made, so a typo costs no model load.
 */
export function parseLMSpec(text: string, env: SpecEnv): LM {
  const ast = parseTechniqueSpec(text);
  if (ast.techniques.length === 0) return env.resolveModel(ast.model!);
  const lone = ast.techniques.length === 1 && ast.model === undefined ? ast.techniques[0]! : undefined;
  if (lone && Object.keys(lone.params).length === 0 && !env.registry.has(lone.name)) {
    const known = env.registry.names();
    const unknown = (cause?: unknown) => {
      const asModel = cause instanceof Error ? `. It is not a usable model either: ${cause.message}` : "";
      return specError({
        text,
        offset: lone.offset,
        message: unknownTechniqueError({ name: lone.name, known }).message + asModel,
        cause,
      });
    };
    if (didYouMean({ word: lone.name, candidates: known })) throw unknown();
    try {
      return env.resolveModel(lone.name);
    } catch (error) {
      throw unknown(error);
    }
  }
  checkTechniqueSpec(ast, env.registry);
  const model = ast.model ?? env.defaultModel;
  if (!model) {
    const spec = text.trim();
    throw specError({
      text,
      offset: text.length,
      param: "model",
      message: `no model given: write ${spec}@MODEL (e.g. ${spec}@openai:gpt-4o-mini) or set a default model`,
    });
  }
  return buildTechniques(ast, env.resolveModel(model), env);
}
