import type { LM } from "../../core/types.ts";
import { formatModelId, formatTechnique, formatValue } from "../format-technique.ts";
import type { TechniqueRegistry } from "../registry.ts";
import { techniqueStack, type TechniqueLayer } from "../technique-tree.ts";
import { parseTechniqueSpec } from "./parse-technique-spec.ts";

/**
 * The canonical spec of a built LM: techniques outermost first joined by ` > `, then `@model`, each
 * with only its non-default options. It parses back to an equal LM, and canonical input prints back
 * unchanged. (A technique LM's `id` is this same text.)
 */
export function formatTechniqueSpec(lm: LM, options: { registry?: TechniqueRegistry } = {}): string {
  const { layers, model } = techniqueStack(lm);
  if (layers.length === 0) return formatLoneModel(model.id);
  return `${layers.map((layer) => formatLayer(layer, options.registry)).join(" > ")}@${formatModelId(model.id)}`;
}

/** A layer's own text, written by its factory; layers made some other way fall back to the registry or every option. */
function formatLayer(layer: TechniqueLayer, registry?: TechniqueRegistry): string {
  if (typeof layer.spec === "string") return layer.spec;
  const { name, options } = layer;
  if (registry?.has(name)) return formatTechnique(registry.get(name).definition, options);
  const parts = Object.entries(options)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${formatValue(v)}`);
  return parts.length ? `${name}(${parts.join(", ")})` : name;
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
