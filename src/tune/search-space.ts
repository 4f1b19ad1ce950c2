import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import type { LM, ReasoningEffort } from "../core/types.ts";
import { NO_TECHNIQUE, planEvalRuns, type EvalRunPlan } from "../eval/plan-eval-runs.ts";
import type { TechniqueLM } from "../techniques/define-technique.ts";
import type { TechniqueRegistry } from "../techniques/registry.ts";
import { expandSweeps, parseTechniqueSpec, type SpecEnv } from "../techniques/spec/index.ts";
import { techniqueStack } from "../techniques/technique-tree.ts";
import {
  rewriteSpec,
  walkTechniqueTree,
  type TechniqueNode,
  type TreeChange,
  type TreeStep,
} from "../techniques/walk-technique-tree.ts";
import { DEFAULT_CANDIDATES } from "./default-candidates.ts";
import { parseParam, type ParamRule } from "./parse-param.ts";
import { withReasoningEffort } from "./with-reasoning-effort.ts";

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

/** One tunable parameter of one technique of a base candidate (in its chain or held in a model option). */
export interface SpaceDimension {
  base: string;
  technique: string;
  /** 0 is the outermost technique of the spec (for a nested technique: the layer holding it). */
  layer: number;
  /** Where the technique sits (walkTechniqueTree): `[{layer: 0, option: "models", index: 0}, {layer: 0}]`... */
  path: TreeStep[];
  /** `cascade.models[0].self-consistency`. */
  node: string;
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
  /** Declared knobs varied per technique, main knob first (default 1). */
  maxDimensions?: number;
  /** Also search these reasoning efforts: every base is tried with each (a `reasoning-effort` layer innermost). */
  reasoningEfforts?: readonly ReasoningEffort[];
  /** At most this many candidates (default 48); every base is kept, variants fill the rest in turn. */
  maxCandidates?: number;
}

/**
 * The candidates to tune over. Each base spec's technique tree is walked (walkTechniqueTree: the
 * chain, and specs held in model options such as cascade rungs, proposers and judges); what may
 * vary is what each technique declares as its tunable knobs, never guessed. Knobs a spec leaves
 * open are varied one at a time around the base (main knob first, `maxDimensions` per technique);
 * with `params`, exactly the named parameters vary, over all combinations. With
 * `reasoningEfforts`, every base is tried at each effort. Identical configurations (same
 * canonical spec) are kept once.
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
  const efforts = options.reasoningEfforts ?? [];
  const bases = given
    .flatMap((t) => expandSweeps(t))
    .flatMap((t) => (efforts.length ? efforts.map((e) => withReasoningEffort(t, e)) : [t]));

  for (const base of bases) {
    const basePlan = plan(base);
    const ast = base.trim() === NO_TECHNIQUE ? undefined : parseTechniqueSpec(base);
    const context = { base, nodes: ast ? walkTechniqueTree(ast, env.registry) : [], registry: env.registry };
    const dims = rules.length
      ? ruleDimensions({ ...context, rules, used })
      : options.discover === false
        ? []
        : declaredDimensions({ ...context, max: options.maxDimensions ?? 1 });
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
          d.values.filter((v) => !same(v, d.current)).map((value) => [{ path: d.path, name: d.name, value }]),
        );
    queues.push({
      base,
      origin: combined ? "param" : "discovered",
      texts: ast ? changes.map((c) => rewriteSpec(ast, env.registry, c)) : [],
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

interface TreeContext {
  base: string;
  nodes: TechniqueNode[];
  registry: TechniqueRegistry;
}

function dimension(
  { base, registry }: TreeContext,
  node: TechniqueNode,
  name: string,
  values: unknown[],
  source: SpaceDimension["source"],
): SpaceDimension {
  const param = registry.info(node.call.name).parameters.find((p) => p.name === name);
  return {
    base,
    technique: node.call.name,
    layer: node.path[0]!.layer,
    path: node.path,
    node: node.label,
    name,
    values,
    current: Object.hasOwn(node.call.params, name) ? node.call.params[name] : param?.default,
    source,
  };
}

/** The knobs each technique in the tree declares and the spec leaves open, main knob first, `max` per technique. */
function declaredDimensions(context: TreeContext & { max: number }): SpaceDimension[] {
  return context.nodes.flatMap((node) =>
    context.registry
      .info(node.call.name)
      .tunables.knobs.filter((k) => !Object.hasOwn(node.call.params, k.name))
      .slice(0, context.max)
      .map((k) => dimension(context, node, k.name, k.values, "discovered")),
  );
}

/** `--param` rules: the named parameters of every technique in the tree that has them. */
function ruleDimensions(context: TreeContext & { rules: ParamRule[]; used: Set<ParamRule> }): SpaceDimension[] {
  return context.nodes.flatMap((node) => {
    const names = new Set(context.registry.info(node.call.name).parameters.map((p) => p.name));
    return context.rules
      .filter((r) => (r.technique === undefined || r.technique === node.call.name) && names.has(r.name))
      .map((r) => {
        context.used.add(r);
        return dimension(context, node, r.name, r.values, "param");
      });
  });
}

function product(dims: readonly SpaceDimension[]): TreeChange[][] {
  let out: TreeChange[][] = [[]];
  for (const d of dims)
    out = out.flatMap((prefix) => d.values.map((value) => [...prefix, { path: d.path, name: d.name, value }]));
  return out;
}

function same(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
