import { ModelNotFoundError } from "../../core/errors/model-not-found-error.ts";
import type { RunHost } from "../../core/run-host.ts";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import type { LM } from "../../core/types.ts";
import type { TechniqueFactory } from "../define-technique.ts";
import type { TechniqueInfo, TechniqueRegistry } from "../registry.ts";
import type { OptionPolicy } from "./client-option-policy.ts";
import { didYouMean } from "./closest-names.ts";
import { HostResourceError } from "./host-resource-error.ts";
import { parseTechniqueSpec } from "./parse-technique-spec.ts";
import { unknownTechniqueError } from "../registry.ts";
import type { SpecValue, SpecValueSource, TechniqueCall, TechniqueSpecAst } from "./spec-ast.ts";
import { specError } from "./spec-error.ts";
import { acceptedTypes, parameterAllowed, parameterSummary, type ParameterInfo } from "./technique-parameters.ts";

/** What building a spec needs from outside: the techniques, and how to turn a model spec into an LM. */
export interface SpecEnv {
  registry: TechniqueRegistry;
  /** `openai:gpt-4o-mini`, `llama:./m.gguf`, `replay:...` → an LM (aliases are `aliases`' business). */
  resolveModel(spec: string): LM;
  /** The model for specs that name only techniques (an LM spec or alias too). */
  defaultModel?: string;
  /** Named LM specs (`"smart": "self-consistency(n=5)@openai:gpt-4o-mini"`), usable wherever a model is. */
  aliases?: Readonly<Record<string, string>>;
  /** Which options the spec's author may set (absent: all, as for the library and the CLI). */
  policy?: OptionPolicy;
  /**
   * How the operator's own texts (alias texts, the default model) are built when the spec's author
   * is a client: usually this env without its policy and model restrictions (absent: this env).
   */
  trusted?: SpecEnv;
  /** Bound to every technique built, for runs whose context brings no host (the runtime's stores, embedders...). */
  host?: RunHost;
  /** Aliases being expanded, outermost first (set while expanding; a repeat is a cycle). */
  expanding?: readonly string[];
  /**
   * Whether the operator made `word` a model name (the proxy's `server.routes`): such a word is a model
   * even when it looks like a typo of a technique (`r1` next to `re2`).
   */
  isModelName?(word: string): boolean;
}

/** The alias text `name` stands for, if it is one. */
export function aliasOf(env: SpecEnv, name: string): string | undefined {
  const key = name.trim();
  return env.aliases && Object.hasOwn(env.aliases, key) ? env.aliases[key] : undefined;
}

/**
 * An LM from its spec: an alias, `TECHNIQUES@MODEL`, a plain `MODEL`, or `TECHNIQUES` over
 * `env.defaultModel`. A lone word that is no technique is tried as a model, unless it looks like a
 * typo of one. Aliases expand (in the operator's trusted env) wherever a model may stand, at most
 * once each per path. Techniques are checked before any model is made, so a typo costs no model load.
 */
export function parseLMSpec(text: string, env: SpecEnv): LM {
  const aliased = aliasOf(env, text);
  if (aliased !== undefined) return expandAlias(text.trim(), aliased, env);
  const ast = parseTechniqueSpec(text);
  if (ast.techniques.length === 0) return modelLM(ast.model!, env);
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
    if (didYouMean({ word: lone.name, candidates: known }) && !env.isModelName?.(lone.name)) throw unknown();
    try {
      return env.resolveModel(lone.name);
    } catch (error) {
      // A resolver that says "no such model" (the proxy's 404) has said it all.
      if (ModelNotFoundError.isInstance(error)) throw error;
      throw unknown(error);
    }
  }
  checkTechniqueSpec(ast, env.registry);
  const inner = ast.model !== undefined ? modelLM(ast.model, env) : defaultModelLM(text, env);
  return buildTechniques(ast, inner, env);
}

/** The LM after `@`: an alias, or a model spec for `env.resolveModel`. */
function modelLM(model: string, env: SpecEnv): LM {
  const aliased = aliasOf(env, model);
  return aliased !== undefined ? expandAlias(model.trim(), aliased, env) : env.resolveModel(model);
}

function expandAlias(name: string, text: string, env: SpecEnv): LM {
  const expanding = env.expanding ?? [];
  if (expanding.includes(name))
    throw new InvalidRequestError(`alias "${name}" refers to itself (${[...expanding, name].join(" -> ")})`, {
      param: "model",
    });
  return parseLMSpec(text, { ...(env.trusted ?? env), expanding: [...expanding, name] });
}

/** A technique-only spec runs on the default model, which the operator set (so it is built trusted). */
function defaultModelLM(text: string, env: SpecEnv): LM {
  const model = env.defaultModel;
  if (!model) {
    const spec = text.trim();
    throw specError({
      text,
      offset: text.length,
      param: "model",
      message: `no model given: write ${spec}@MODEL (e.g. ${spec}@openai:gpt-4o-mini) or set a default model`,
    });
  }
  return expandAlias("(default model)", model, env);
}

interface Plan {
  call: TechniqueCall;
  factory: TechniqueFactory;
  info: TechniqueInfo;
}

/**
 * Applies the spec's techniques over `inner`, innermost first (the spec's `@model`, if any, is the
 * caller's business). Parameters listed in a definition's `modelOptions` become LMs through
 * `env.resolveModel` (lists too; a quoted technique spec works as well); everything else goes to the
 * technique's own zod schema. Names, parameter keys and `env.policy` are all checked before anything
 * is built.
 */
export function buildTechniques(ast: TechniqueSpecAst, inner: LM, env: SpecEnv): LM {
  const plans = checkTechniqueSpec(ast, env.registry);
  const values = plans.map((plan) => allowedValues(ast, plan, env.policy));
  let lm = inner;
  for (let i = plans.length - 1; i >= 0; i--) lm = apply(ast, plans[i]!, values[i]!, lm, env);
  return lm;
}

/** The call's parameters as the policy lets them through (all of them without a policy). */
function allowedValues(ast: TechniqueSpecAst, plan: Plan, policy: OptionPolicy | undefined): Record<string, unknown> {
  if (!policy) return plan.call.params;
  try {
    return policy({ technique: plan.info, options: plan.call.params });
  } catch (error) {
    if (!HostResourceError.isInstance(error)) throw error;
    const param = error.param ?? "technique";
    const at = specError({
      text: ast.text,
      offset: plan.call.sources[param]?.offset ?? plan.call.offset,
      message: error.message,
    });
    throw new HostResourceError(at.message, { param, cause: error });
  }
}

/** Every technique exists and every parameter is one of its options; errors point at the culprit. */
export function checkTechniqueSpec(ast: TechniqueSpecAst, registry: TechniqueRegistry): Plan[] {
  return ast.techniques.map((call) => {
    let factory: TechniqueFactory;
    try {
      factory = registry.get(call.name);
    } catch (error) {
      if (!InvalidRequestError.isInstance(error)) throw error;
      throw specError({ text: ast.text, offset: call.offset, message: error.message, cause: error });
    }
    const info = registry.info(call.name);
    for (const [key, source] of Object.entries(call.sources)) {
      if (info.parameters.some((p) => p.name === key)) continue;
      throw specError({ text: ast.text, offset: source.keyOffset, param: key, message: unknownParameter(info, key) });
    }
    return { call, factory, info };
  });
}

function unknownParameter(info: TechniqueInfo, key: string): string {
  if (info.parameters.length === 0) return `${info.name} takes no parameters (got "${key}")`;
  const guess = didYouMean({ word: key, candidates: info.parameters.map((p) => p.name) });
  const valid = info.parameters.map(parameterSummary).join("; ");
  return `${info.name} has no parameter "${key}"${guess ? `; did you mean "${guess}"?` : "."} Valid parameters: ${valid}`;
}

function apply(ast: TechniqueSpecAst, plan: Plan, values: Record<string, unknown>, inner: LM, env: SpecEnv): LM {
  const { call, factory, info } = plan;
  const options: Record<string, unknown> = {};
  for (const param of info.parameters) {
    if (!Object.hasOwn(values, param.name)) continue;
    const value = values[param.name] as SpecValue;
    const source = call.sources[param.name];
    // Values the policy put in (granted servers) have no source in the text and go in as they are.
    if (!source || value !== call.params[param.name]) options[param.name] = value;
    else
      options[param.name] = param.model
        ? resolveModels(ast, info, param, value, source, env)
        : coerce(value, source, param);
  }
  try {
    return factory(inner, options, { host: env.host });
  } catch (error) {
    if (!InvalidRequestError.isInstance(error)) throw error;
    const key = error.param?.split(".")[0];
    const param = info.parameters.find((p) => p.name === key);
    const source = key ? call.sources[key] : undefined;
    // The factory's message is "name: param: issue"; keep the issue, say what is allowed.
    const issue = error.message.replace(`${info.name}: `, "").replace(`${error.param}: `, "");
    const message = param
      ? `${info.name}: bad value for ${param.name}${source ? ` (${source.raw})` : ""}: ${issue}. Allowed: ${parameterAllowed(param)}`
      : error.message;
    throw specError({ text: ast.text, offset: source?.offset ?? call.offset, param: key, message, cause: error });
  }
}

/** Bare words are read as numbers/booleans first; a string option still gets them as written. */
function coerce(value: SpecValue, source: SpecValueSource, param: ParameterInfo): SpecValue {
  if (!source.bare || typeof value === "string") return value;
  const accepted = acceptedTypes(param);
  const own =
    value === null
      ? "null"
      : typeof value === "number"
        ? Number.isInteger(value)
          ? "integer"
          : "number"
        : typeof value;
  return accepted.has("string") && !accepted.has(own) ? source.raw : value;
}

function resolveModels(
  ast: TechniqueSpecAst,
  info: TechniqueInfo,
  param: ParameterInfo,
  value: SpecValue,
  source: SpecValueSource,
  env: SpecEnv,
): LM | LM[] {
  const one = (v: SpecValue): LM => {
    if (typeof v !== "string" || !v)
      throw specError({
        text: ast.text,
        offset: source.offset,
        param: param.name,
        message: `${info.name}: bad value for ${param.name}: expected a model spec like openai:gpt-4o-mini, got ${JSON.stringify(v)}`,
      });
    try {
      return parseLMSpec(v, env);
    } catch (error) {
      if (!InvalidRequestError.isInstance(error)) throw error;
      // A host resource deep inside stays named by its own option.
      if (HostResourceError.isInstance(error)) throw error;
      const message = `${info.name}: ${param.name}: "${v}" is not a usable model: ${error.message}`;
      throw specError({ text: ast.text, offset: source.offset, param: param.name, message, cause: error });
    }
  };
  if (Array.isArray(value)) return value.map(one);
  if (param.type === "model[]") return [one(value)];
  return one(value);
}
