import { isLM } from "../core/is-lm.ts";
import type { LM } from "../core/types.ts";
import type { TechniqueLM } from "./define-technique.ts";

/** One technique of a built LM: its name, validated options, own canonical text, and the LM it wraps. */
export type TechniqueLayer = TechniqueLM["technique"];

/** Whether an LM was made by a technique (and so knows its name, options and inner LM). */
export function isTechniqueLM(lm: unknown): lm is TechniqueLM {
  if (!isLM(lm)) return false;
  const t = (lm as Partial<TechniqueLM>).technique;
  return typeof t === "object" && t !== null && typeof t.name === "string" && isLM(t.inner);
}

/** The techniques stacked in an LM, outermost first, and the model at the bottom. */
export function techniqueStack(lm: LM): { layers: TechniqueLayer[]; model: LM } {
  const layers: TechniqueLayer[] = [];
  let current = lm;
  for (; isTechniqueLM(current); current = current.technique.inner) layers.push(current.technique);
  return { layers, model: current };
}

/** The LMs a technique was given as options (cascade's models, a verifier...), lists flattened. */
export function optionLMs(layer: TechniqueLayer): LM[] {
  return Object.values(layer.options)
    .flat()
    .filter((value): value is LM => isLM(value));
}

/**
 * Folds over an LM's technique tree: `visit(layer, below)` gets each technique layer and the folded
 * values of what is under it (its inner LM first, then the LMs among its options); a model is `leaf`.
 */
export function foldTechniques<T>(lm: LM, visit: (layer: TechniqueLayer, below: T[]) => T, leaf: T): T {
  if (!isTechniqueLM(lm)) return leaf;
  const layer = lm.technique;
  const below = [layer.inner, ...optionLMs(layer)].map((child) => foldTechniques(child, visit, leaf));
  return visit(layer, below);
}

/** How many techniques deep an LM nests, counting the stacks inside LM options. */
export function techniqueDepth(lm: LM): number {
  return foldTechniques(lm, (_layer, below) => 1 + Math.max(0, ...below), 0);
}

/** Every technique layer in the tree, parents before children. */
export function everyTechnique(lm: LM): TechniqueLayer[] {
  return foldTechniques<TechniqueLayer[]>(lm, (layer, below) => [layer, ...below.flat()], []);
}
