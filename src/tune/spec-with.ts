import { formatTechnique } from "../techniques/format-technique.ts";
import type { TechniqueRegistry } from "../techniques/registry.ts";
import type { TechniqueSpecAst } from "../techniques/spec/index.ts";

/** A parameter to set on one technique layer (0 = the outermost). */
export interface SpecChange {
  layer: number;
  name: string;
  value: unknown;
}

/**
 * A parsed spec with some parameters changed, written back in the spec language (only values that
 * differ from a technique's defaults are written; the spec's own `@model` stays).
 */
export function specWith(options: {
  ast: TechniqueSpecAst;
  registry: TechniqueRegistry;
  changes: readonly SpecChange[];
}): string {
  const { ast, registry, changes } = options;
  const parts = ast.techniques.map((call, layer) => {
    const params: Record<string, unknown> = { ...call.params };
    for (const c of changes) if (c.layer === layer) params[c.name] = c.value;
    return formatTechnique(registry.get(call.name).definition, params);
  });
  return parts.join(" > ") + (ast.model === undefined ? "" : `@${ast.model}`);
}
