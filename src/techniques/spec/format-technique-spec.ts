import type { LM } from "../../core/types.ts";
import type { TechniqueLM } from "../define-technique.ts";
import { formatTechnique, formatValue } from "../format-technique.ts";
import type { TechniqueRegistry } from "../registry.ts";
import { parseTechniqueSpec } from "./parse-technique-spec.ts";

/**
 * The canonical spec of a built LM: techniques outermost first joined by ` > `, then `@model`, each
 * with only its non-default options. It parses back to an equal LM, and canonical input prints back
 * unchanged.
 */
export function formatTechniqueSpec(lm: LM, options: { registry?: TechniqueRegistry } = {}): string {
  const layers: string[] = [];
  let current = lm;
  while (isTechniqueLM(current)) {
    layers.push(formatLayer(current, options.registry));
    current = current.technique.inner;
  }
  return layers.length ? `${layers.join(" > ")}@${formatModel(current.id)}` : formatLoneModel(current.id);
}

export function isTechniqueLM(lm: LM): lm is TechniqueLM {
  const t = (lm as Partial<TechniqueLM>).technique;
  return typeof t === "object" && t !== null && typeof t.name === "string" && typeof t.inner?.complete === "function";
}

/**
 * A technique LM's id is `formatTechnique(its definition, its options)@inner.id`, written by the
 * factory from the very definition it was built with, so that prefix is this layer. LMs made some
 * other way fall back to the registry's definition, or to every option.
 */
function formatLayer(lm: TechniqueLM, registry?: TechniqueRegistry): string {
  const suffix = `@${lm.technique.inner.id}`;
  if (lm.id.endsWith(suffix) && lm.id.length > suffix.length) return lm.id.slice(0, -suffix.length);
  const { name, options } = lm.technique;
  if (registry?.has(name)) return formatTechnique(registry.get(name).definition, options);
  const parts = Object.entries(options)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${formatValue(v)}`);
  return parts.length ? `${name}(${parts.join(", ")})` : name;
}

/** After `@` the rest of the spec is the model, so only edge spaces and a leading quote need quotes. */
function formatModel(id: string): string {
  return id === "" || /^\s|\s$|^["']/.test(id) ? JSON.stringify(id) : id;
}

/** A spec that is only a model: printed as written when it reads back as that model (or alias). */
function formatLoneModel(id: string): string {
  try {
    const ast = parseTechniqueSpec(id);
    const lone = ast.techniques.length === 1 && !ast.model ? ast.techniques[0]! : undefined;
    if (ast.model === id || (lone?.name === id && Object.keys(lone.params).length === 0)) return id;
  } catch {
    // Unparseable as written: quoted below.
  }
  return JSON.stringify(id);
}
