import { formatTechnique } from "./format-technique.ts";
import type { TechniqueRegistry } from "./registry.ts";
import { parseTechniqueSpec } from "./spec/parse-technique-spec.ts";
import type { SpecValue, TechniqueCall, TechniqueSpecAst } from "./spec/spec-ast.ts";

/**
 * One step down a spec: technique `layer` of the chain (0 = outermost) and, unless it is the last
 * step, the model option (and list index) of that technique holding the next spec.
 */
export interface TreeStep {
  layer: number;
  option?: string;
  index?: number;
}

/** A technique anywhere in a spec: the outer chain, or a spec held in a model option (cascade rungs, proposers, judges). */
export interface TechniqueNode {
  call: TechniqueCall;
  path: TreeStep[];
  /** `cascade.models[0].self-consistency`: where it sits, for messages and leaderboards. */
  label: string;
}

/** Specs nest in specs only as deep as this (a spec's own text bounds it too; this bounds the work). */
const MAX_DEPTH = 8;

/**
 * Every technique of a spec, outer chain first, each followed by those in its model options
 * (`modelOptions`: cascade's `models`, mixture-of-agents' `models` and `aggregator`, judges,
 * critics), written as model specs. Option values that are plain models (no technique) hold no
 * node; values that do not parse are left to the builder to report.
 */
export function walkTechniqueTree(ast: TechniqueSpecAst, registry: TechniqueRegistry): TechniqueNode[] {
  return walk(ast, registry, [], "", 0);
}

function walk(
  ast: TechniqueSpecAst,
  registry: TechniqueRegistry,
  prefix: TreeStep[],
  label: string,
  depth: number,
): TechniqueNode[] {
  if (depth >= MAX_DEPTH) return [];
  return ast.techniques.flatMap((call, layer) => {
    const here = `${label}${call.name}`;
    const node: TechniqueNode = { call, path: [...prefix, { layer }], label: here };
    if (!registry.has(call.name)) return [node];
    const nested = registry.info(call.name).modelOptions.flatMap((option) =>
      heldSpecs(call.params[option]).flatMap(({ spec, index }) => {
        const step: TreeStep = { layer, option, ...(index === undefined ? {} : { index }) };
        const at = `${here}.${option}${index === undefined ? "" : `[${index}]`}.`;
        return walk(spec, registry, [...prefix, step], at, depth + 1);
      }),
    );
    return [node, ...nested];
  });
}

/** The specs an option value holds (one, or a list), parsed; plain models and unparseable text hold none. */
function heldSpecs(value: SpecValue | undefined): { spec: TechniqueSpecAst; index?: number }[] {
  const one = (v: SpecValue, index?: number) => {
    if (typeof v !== "string") return [];
    try {
      const spec = parseTechniqueSpec(v);
      return spec.techniques.length && spec.model !== undefined
        ? [{ spec, ...(index === undefined ? {} : { index }) }]
        : [];
    } catch {
      return [];
    }
  };
  if (Array.isArray(value)) return value.flatMap((v, i) => one(v, i));
  return value === undefined ? [] : one(value);
}

/** A parameter to set on the technique at `path` (see TreeStep). */
export interface TreeChange {
  path: readonly TreeStep[];
  name: string;
  value: unknown;
}

/**
 * The spec with some parameters changed, anywhere in its tree, written back in the spec language
 * (only values differing from a technique's defaults; every `@model` stays). Specs held in model
 * options are rewritten in place, so `cascade(models=["self-consistency@big"])` can become
 * `cascade(models=["self-consistency(n=3)@big"])`.
 */
export function rewriteSpec(
  ast: TechniqueSpecAst,
  registry: TechniqueRegistry,
  changes: readonly TreeChange[],
): string {
  const parts = ast.techniques.map((call, layer) => {
    const params: Record<string, unknown> = { ...call.params };
    const mine = changes.filter((c) => c.path[0]?.layer === layer);
    for (const c of mine) if (c.path.length === 1) params[c.name] = c.value;
    const deeper = mine.filter((c) => c.path.length > 1);
    for (const key of new Set(deeper.map((c) => JSON.stringify([c.path[0]!.option, c.path[0]!.index ?? null])))) {
      const [option, index] = JSON.parse(key) as [string, number | null];
      const group = deeper.filter((c) => c.path[0]!.option === option && (c.path[0]!.index ?? null) === index);
      const held = index === null ? params[option] : (params[option] as unknown[])[index];
      const text = rewriteSpec(
        parseTechniqueSpec(held as string),
        registry,
        group.map((c) => ({ ...c, path: c.path.slice(1) })),
      );
      if (index === null) params[option] = text;
      else params[option] = (params[option] as unknown[]).map((v, i) => (i === index ? text : v));
    }
    // Written in the schema's order, whatever order the spec and the changes gave.
    const order = registry.info(call.name).parameters.map((p) => p.name);
    const sorted = Object.fromEntries(order.filter((k) => Object.hasOwn(params, k)).map((k) => [k, params[k]]));
    return formatTechnique(registry.get(call.name).definition, sorted);
  });
  return parts.join(" > ") + (ast.model === undefined ? "" : `@${ast.model}`);
}
