import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import type { LM } from "../core/types.ts";
import { planEvalRuns, type EvalRunPlan } from "../eval/plan-eval-runs.ts";
import type { TechniqueLM } from "../techniques/define-technique.ts";
import type { TechniqueRegistry } from "../techniques/registry.ts";
import { expandSweeps, parseTechniqueSpec, type SpecEnv, type TechniqueSpecAst } from "../techniques/spec/index.ts";
import { techniqueStack } from "../techniques/technique-tree.ts";
import { DEFAULT_CANDIDATES } from "./default-candidates.ts";
import { isDiscrete, parameterGrid } from "./parameter-grid.ts";
import { parseParam, type ParamRule } from "./parse-param.ts";
import { specWith, type SpecChange } from "./spec-with.ts";

/** Where a candidate came from: written by the user, the default set, a discovered or `--param` variant, bootstrapped demos, a proposed prompt. */
export type CandidateOrigin = "given" | "default" | "discovered" | "param" | "bootstrap" | "proposed";

export interface SpaceCandidate {
  /** The technique spec as tuned ("none" is the bare model). */
  technique: string;
  plan: EvalRunPlan;
  origin: CandidateOrigin;
  /** The candidate spec it varies. */
  base: string;
}

/** One tunable parameter of one technique layer of a base candidate. */
export interface SpaceDimension {
  base: string;
  technique: string;
  /** 0 is the outermost technique of the spec. */
  layer: number;
  name: string;
  values: unknown[];
  /** The base's own value (its default unless the spec sets it). */
  current: unknown;
  source: "discovered" | "param";
}

export interface SearchSpace {
  candidates: SpaceCandidate[];
  dimensions: SpaceDimension[];
  /** Variants the technique rejects (adaptive-consistency with max below min, say), with why. */
  skipped: { technique: string; reason: string }[];
  /** Variants left out to stay within `maxCandidates`. */
  truncated: number;
}

export interface SearchSpaceOptions {
  /** Candidate specs (sweeps expand; "none" is the bare model). Default: DEFAULT_CANDIDATES. */
  candidates?: readonly string[];
  /** `n=1,3,5` or `self-consistency.n=1,3`: only these parameters vary, over every combination of their values. */
  params?: readonly (string | ParamRule)[];
  model?: string;
  /** Answer kind, filled into techniques that vote (as `lmx eval --answer` does). */
  answer?: string;
  env: SpecEnv;
  /** Vary parameters the specs leave open (default true; ignored when `params` is given). */
  discover?: boolean;
  /** Discovered parameters varied per technique, main knob first (default 1). */
  maxDimensions?: number;
  /** At most this many candidates (default 48); every base is kept, variants fill the rest in turn. */
  maxCandidates?: number;
}

/**
 * The candidates to tune over. Each base spec is built and its technique layers walked
 * (`lm.technique.{name, options, inner}`); what each parameter admits comes from the registry
 * (types, ranges, enums), never from the tuner knowing a technique. Parameters a spec leaves open
 * are varied one at a time around the base (main knob first, `maxDimensions` per technique); with
 * `params`, exactly the named parameters vary, over all combinations. Identical configurations
 * (same canonical spec) are kept once.
 */
export function searchSpace(options: SearchSpaceOptions): SearchSpace {
  const { env } = options;
  const given = options.candidates?.length ? options.candidates : DEFAULT_CANDIDATES;
  const rules = (options.params ?? []).map((r) => (typeof r === "string" ? parseParam(r) : r));
  const used = new Set<ParamRule>();
  const plan = (technique: string) =>
    planEvalRuns({ techniques: [technique], model: options.model, answer: options.answer, env })[0]!;
  const space: SearchSpace = { candidates: [], dimensions: [], skipped: [], truncated: 0 };
  const seen = new Set<string>();
  const add = (c: SpaceCandidate) => {
    const key = JSON.stringify([c.plan.model, c.plan.canonical]);
    if (!seen.has(key)) space.candidates.push(c);
    seen.add(key);
  };
  const queues: { base: string; origin: CandidateOrigin; texts: string[] }[] = [];

  for (const base of given.flatMap((t) => expandSweeps(t))) {
    const basePlan = plan(base);
    const ast = parseTechniqueSpec(base);
    const layers = techniqueLayers(basePlan.lm).slice(0, ast.techniques.length);
    const bare = layers.length === 0;
    const dims = bare
      ? []
      : rules.length
        ? ruleDimensions({ base, ast, layers, registry: env.registry, rules, used })
        : options.discover === false
          ? []
          : discoveredDimensions({ base, ast, layers, registry: env.registry, max: options.maxDimensions ?? 1 });
    space.dimensions.push(...dims);
    const combined = rules.length > 0 && dims.length > 0;
    if (!combined)
      add({
        technique: basePlan.technique,
        plan: basePlan,
        origin: options.candidates?.length ? "given" : "default",
        base,
      });
    const changes = combined
      ? product(dims)
      : dims.flatMap((d) =>
          d.values.filter((v) => !same(v, d.current)).map((value) => [{ layer: d.layer, name: d.name, value }]),
        );
    queues.push({
      base,
      origin: combined ? "param" : "discovered",
      texts: changes.map((c) => specWith({ ast, registry: env.registry, changes: c })),
    });
  }
  for (const rule of rules)
    if (!used.has(rule))
      throw new InvalidRequestError(
        `--param ${rule.technique ? `${rule.technique}.` : ""}${rule.name}: no candidate technique has this parameter`,
        { param: "param" },
      );

  // Variants in turn across bases, so a cap still leaves every base some.
  const longest = Math.max(0, ...queues.map((q) => q.texts.length));
  for (let i = 0; i < longest; i++)
    for (const q of queues) {
      const text = q.texts[i];
      if (text === undefined) continue;
      if (space.candidates.length >= (options.maxCandidates ?? 48)) {
        space.truncated++;
        continue;
      }
      try {
        const p = plan(text);
        add({ technique: p.technique, plan: p, origin: q.origin, base: q.base });
      } catch (error) {
        if (!InvalidRequestError.isInstance(error)) throw error;
        space.skipped.push({ technique: text, reason: error.message.split("\n")[0]! });
      }
    }
  return space;
}

/** The technique layers of a built LM, outermost first. */
export function techniqueLayers(lm: LM): TechniqueLM["technique"][] {
  return techniqueStack(lm).layers;
}

interface LayerContext {
  base: string;
  ast: TechniqueSpecAst;
  layers: TechniqueLM["technique"][];
  registry: TechniqueRegistry;
}

function discoveredDimensions({ base, ast, layers, registry, max }: LayerContext & { max: number }): SpaceDimension[] {
  return ast.techniques.flatMap((call, layer) => {
    const open = registry
      .info(call.name)
      .parameters.filter((p) => !Object.hasOwn(call.params, p.name))
      .map((p) => ({ p, values: parameterGrid(p) }))
      .filter((x): x is { p: (typeof x)["p"]; values: unknown[] } => x.values !== undefined);
    const ordered = [...open.filter((x) => isDiscrete(x.p)), ...open.filter((x) => !isDiscrete(x.p))].slice(0, max);
    return ordered.map(({ p, values }) => ({
      base,
      technique: call.name,
      layer,
      name: p.name,
      values,
      current: layers[layer]?.options[p.name],
      source: "discovered" as const,
    }));
  });
}

function ruleDimensions({
  base,
  ast,
  layers,
  registry,
  rules,
  used,
}: LayerContext & { rules: ParamRule[]; used: Set<ParamRule> }): SpaceDimension[] {
  return ast.techniques.flatMap((call, layer) => {
    const names = new Set(registry.info(call.name).parameters.map((p) => p.name));
    return rules
      .filter((r) => (r.technique === undefined || r.technique === call.name) && names.has(r.name))
      .map((r) => {
        used.add(r);
        return {
          base,
          technique: call.name,
          layer,
          name: r.name,
          values: r.values,
          current: layers[layer]?.options[r.name],
          source: "param" as const,
        };
      });
  });
}

function product(dims: readonly SpaceDimension[]): SpecChange[][] {
  let out: SpecChange[][] = [[]];
  for (const d of dims)
    out = out.flatMap((prefix) => d.values.map((value) => [...prefix, { layer: d.layer, name: d.name, value }]));
  return out;
}

function same(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
