import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import type { LM } from "../core/types.ts";
import {
  buildTechniques,
  checkTechniqueSpec,
  expandSweeps,
  formatTechniqueSpec,
  parseTechniqueSpec,
  type SpecEnv,
} from "../techniques/spec/index.ts";
import { parseLMSpec, type TechniqueSpecAst } from "../techniques/spec/index.ts";

/** One run of an evaluation: a technique over a model, built and named canonically. */
export interface EvalRunPlan {
  /** The technique spec as written (sweeps expanded, `@model` dropped), or "none" for the bare model. */
  technique: string;
  /** Canonical technique spec (non-default options only, eval's answer kind filled in): results are stored under it. */
  canonical: string;
  /** The base model's id. */
  model: string;
  lm: LM;
  /**
   * The answer kind the spec gave its outermost technique with an `answer` option (`answer=date`):
   * grading uses it when the evaluation names no kind, so votes and scores compare alike.
   */
  answer?: string;
}

/** The technique name meaning "the model alone". */
export const NO_TECHNIQUE = "none";

/**
 * Turns `--technique` specs into runs: sweeps expand (`self-consistency(n={1,2,4})` is three runs),
 * a spec's own `@model` overrides `model`, and when `answer` is given every technique with an
 * `answer` option that the spec leaves unset votes with it, so votes and grading compare alike.
 * Runs that come out identical are kept once. Specs are all checked before any model is made.
 */
export function planEvalRuns(options: {
  techniques: readonly string[];
  model?: string;
  answer?: string;
  env: SpecEnv;
}): EvalRunPlan[] {
  const { env, answer } = options;
  const specs = (options.techniques.length ? options.techniques : [NO_TECHNIQUE]).flatMap((t) => expandSweeps(t));
  const parsed = specs.map((text) => (text.trim() === NO_TECHNIQUE ? undefined : parseTechniqueSpec(text)));
  const asts = parsed.map((ast) => ast && withAnswer(ast, answer, env));
  for (const ast of asts) if (ast) checkTechniqueSpec(ast, env.registry);

  const plans: EvalRunPlan[] = [];
  const seen = new Set<string>();
  for (const [i, ast] of asts.entries()) {
    const modelSpec = ast?.model ?? options.model ?? env.defaultModel;
    if (!modelSpec)
      throw new InvalidRequestError("no model: pass --model, or end each technique spec with @MODEL", {
        param: "model",
      });
    // The model may be an alias (of a model, or of techniques over one).
    const base = parseLMSpec(modelSpec, env);
    const lm = ast && ast.techniques.length ? buildTechniques(ast, base, env) : base;
    const bare = lm === base;
    const given = bare ? undefined : specAnswer(parsed[i]);
    const plan: EvalRunPlan = {
      technique: bare || !ast ? NO_TECHNIQUE : asWritten(ast),
      canonical: bare ? NO_TECHNIQUE : techniquePart(lm, base),
      model: base.id,
      lm,
      ...(given === undefined ? {} : { answer: given }),
    };
    const key = JSON.stringify([plan.model, plan.canonical]);
    if (seen.has(key)) continue;
    seen.add(key);
    plans.push(plan);
  }
  return plans;
}

/** The spec's text without its `@model`. */
function asWritten(ast: TechniqueSpecAst): string {
  const text = ast.modelOffset === undefined ? ast.text : ast.text.slice(0, ast.modelOffset).replace(/@\s*$/, "");
  return text.trim();
}

/** The technique layers of a built LM's canonical spec, without its `@model`. */
function techniquePart(lm: LM, base: LM): string {
  const full = formatTechniqueSpec(lm);
  const suffix = `@${base.id}`;
  return full.endsWith(suffix) ? full.slice(0, -suffix.length) : full;
}

/** The `answer` written on the spec's outermost technique that has one. */
function specAnswer(ast: TechniqueSpecAst | undefined): string | undefined {
  const call = ast?.techniques.find((c) => Object.hasOwn(c.params, "answer"));
  const value = call?.params.answer;
  return typeof value === "string" ? value : undefined;
}

function withAnswer(ast: TechniqueSpecAst, answer: string | undefined, env: SpecEnv): TechniqueSpecAst {
  if (answer === undefined) return ast;
  const techniques = ast.techniques.map((call) => {
    if (Object.hasOwn(call.params, "answer") || !env.registry.has(call.name)) return call;
    if (!env.registry.info(call.name).parameters.some((p) => p.name === "answer")) return call;
    const source = { offset: call.offset, keyOffset: call.offset, raw: answer, bare: false };
    return { ...call, params: { ...call.params, answer }, sources: { ...call.sources, answer: source } };
  });
  return { ...ast, techniques };
}
