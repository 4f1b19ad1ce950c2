import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import type { LM } from "../core/types.ts";
import type { TechniqueLM } from "../techniques/define-technique.ts";
import type { TechniqueRegistry } from "../techniques/registry.ts";
import { buildTechniques, didYouMean, parseTechniqueSpec } from "../techniques/spec/index.ts";
import { clientOptionPolicy, type OptionGrants } from "../techniques/spec/client-option-policy.ts";
import { HostResourceError } from "../techniques/spec/host-resource-error.ts";
import { ModelNotFoundError } from "./model-not-found-error.ts";
import type { PlainRoute } from "./routes/plain-model-routes.ts";

export interface RequestLMOptions {
  registry: TechniqueRegistry;
  /** Model spec → base LM (throws InvalidRequestError for specs it cannot resolve). */
  resolveModel: (spec: string) => LM;
  /** Named LM specs (`aliases` of lmx.config.json). */
  aliases: Record<string, string>;
  /** The model used when the request names none, or names only techniques. */
  defaultModel?: string;
  /** How many techniques deep an LM may nest. */
  maxSpecDepth: number;
  /** Largest `n` option a technique may be given. */
  maxN: number;
  /** Providers a client may name itself; aliases and the default model are trusted (default: all). */
  allowProviders?: readonly string[];
  /** Host resources clients may name (indexes, memory stores, demo sets, MCP servers); nothing else. */
  grants?: OptionGrants;
  /** Where a plain model name (`gpt-4o-mini`) that is no alias goes (src/server/routes/); none: nowhere. */
  route?: (name: string) => PlainRoute | undefined;
  /** Built LMs kept for reuse, keyed by the request's strings: the most recently used (default 256). */
  memo?: number;
}

/** `model` + `lmx.technique` of a request → the LM that answers it. */
export type RequestLMResolver = (request: { model?: string; technique?: string }) => LM;

/**
 * Resolves a request's `model` field: an alias, `TECHNIQUES@MODEL`, `TECHNIQUES` (on the default model),
 * a plain model spec, or empty (the default model); `technique` is applied on top. Unknown models are
 * ModelNotFoundError (404); bad specs, unknown techniques and caps are InvalidRequestError naming
 * `model` or `lmx.technique`; a host-resource option set by the request is a HostResourceError naming
 * the option, thrown before anything is built. LMs are stateless, so a built one is reused for the
 * same strings (a bounded LRU).
 */
export function requestLMResolver(options: RequestLMOptions): RequestLMResolver {
  const memo = new Map<string, LM>();
  const memoSize = Math.max(0, options.memo ?? 256);
  const alias = (spec: string): string | undefined =>
    Object.hasOwn(options.aliases, spec) ? options.aliases[spec] : undefined;
  const resolveModel = (spec: string): LM => {
    try {
      return options.resolveModel(spec);
    } catch (error) {
      if (InvalidRequestError.isInstance(error))
        throw new ModelNotFoundError({ model: spec, message: error.message, cause: error });
      throw error;
    }
  };
  /** A client's model specs may only name allowed providers (a local file path is not the client's to choose). */
  const untrustedModel = (spec: string): LM => {
    // A plain name in a technique's model option (`critic=gpt-4o-mini`) is routed like the request's model.
    const routed = options.route?.(spec.trim());
    if (routed) return fromRoute(routed, 8);
    const provider = /^([a-z][\w-]*):/.exec(spec.trim())?.[1];
    if (
      provider &&
      options.allowProviders &&
      !options.allowProviders.includes(provider) &&
      alias(spec.trim()) === undefined
    )
      throw new InvalidRequestError(
        `this server does not let clients name ${provider}: models (allowed: ${options.allowProviders.join(", ") || "none"}); use an alias or the server's default model, or add "${provider}" to server.allowProviders`,
        { param: "model" },
      );
    return resolveModel(spec);
  };
  const trustedEnv = { registry: options.registry, resolveModel };
  const clientEnv = {
    registry: options.registry,
    resolveModel: untrustedModel,
    policy: clientOptionPolicy(options.grants ?? {}),
  };

  /** A spec that may itself name aliases (in its model part), expanded at most `hops` times; alias texts are trusted. */
  function fromSpec(spec: string, hops: number, trusted: boolean): LM {
    const env = trusted ? trustedEnv : clientEnv;
    const aliased = alias(spec.trim());
    if (aliased !== undefined) {
      if (hops <= 0) throw new InvalidRequestError(`alias "${spec}" refers to itself`, { param: "model" });
      return fromSpec(aliased, hops - 1, true);
    }
    const routed = options.route?.(spec.trim());
    if (routed) return fromRoute(routed, hops);
    const ast = parseTechniqueSpec(spec);
    const lone = ast.techniques.length === 1 && ast.model === undefined ? ast.techniques[0]! : undefined;
    // A lone word that is no technique (nor a likely typo of one) was meant as a model name.
    if (
      lone &&
      Object.keys(lone.params).length === 0 &&
      !options.registry.has(lone.name) &&
      !didYouMean({ word: lone.name, candidates: options.registry.names() })
    )
      throw new ModelNotFoundError({
        model: spec,
        message: `unknown model "${spec}": not an alias, a technique, or a provider:model spec such as openai:gpt-4o-mini`,
      });
    const modelSpec = ast.model ?? options.defaultModel;
    if (modelSpec === undefined)
      throw new InvalidRequestError(
        `"${spec}" names no model and the server has no default model; write TECHNIQUES@MODEL`,
        { param: "model" },
      );
    const fromClient = !trusted && ast.model !== undefined;
    const routedModel = alias(modelSpec) === undefined ? options.route?.(modelSpec.trim()) : undefined;
    const inner =
      alias(modelSpec) !== undefined
        ? fromSpec(modelSpec, hops - 1, true)
        : routedModel
          ? fromRoute(routedModel, hops)
          : fromClient
            ? untrustedModel(modelSpec)
            : resolveModel(modelSpec);
    return ast.techniques.length ? buildTechniques(ast, inner, env) : inner;
  }

  /** A route's target is the operator's; a pass-through name is the client's model under the operator's technique. */
  function fromRoute(routed: PlainRoute, hops: number): LM {
    if ("spec" in routed) {
      if (hops <= 0) throw new InvalidRequestError(`route to "${routed.spec}" loops`, { param: "model" });
      return fromSpec(routed.spec, hops - 1, true);
    }
    const inner = untrustedModel(routed.model);
    return routed.technique ? buildTechniques(parseTechniqueSpec(routed.technique), inner, trustedEnv) : inner;
  }

  function build(model: string | undefined, technique: string | undefined): LM {
    const spec = model?.trim() || options.defaultModel;
    if (!spec)
      throw new InvalidRequestError("the request names no model and the server has no default model", {
        param: "model",
      });
    const base = as("model", () => fromSpec(spec, 8, !model?.trim()));
    checkCaps(base, "model");
    if (!technique?.trim()) return base;
    const lm = as("lmx.technique", () => {
      const ast = parseTechniqueSpec(technique);
      if (ast.model !== undefined)
        throw new InvalidRequestError(
          `lmx.technique takes techniques only; put the model in "model" (found "@${ast.model}")`,
        );
      return buildTechniques(ast, base, clientEnv);
    });
    checkCaps(lm, "lmx.technique");
    return lm;
  }

  function checkCaps(lm: LM, param: string): void {
    const depth = techniqueDepth(lm);
    if (depth > options.maxSpecDepth)
      throw new InvalidRequestError(
        `the LM nests ${depth} techniques; this server allows at most ${options.maxSpecDepth}`,
        { param },
      );
    const n = largestN(lm);
    if (n > options.maxN)
      throw new InvalidRequestError(`a technique asks for n=${n}; this server allows at most n=${options.maxN}`, {
        param,
      });
  }

  return ({ model, technique }) => {
    const key = `${model ?? ""}\u0000${technique ?? ""}`;
    const known = memo.get(key);
    if (known) {
      // Re-inserting marks it most recently used; the oldest key is the least recently used.
      memo.delete(key);
      memo.set(key, known);
      return known;
    }
    const lm = build(model, technique);
    // Long specs are built each time: 256 keys of megabytes each would be no small memo.
    if (memoSize === 0 || key.length > MAX_MEMO_KEY) return lm;
    if (memo.size >= memoSize) memo.delete(memo.keys().next().value!);
    memo.set(key, lm);
    return lm;
  };
}

/** Longest `model` + `lmx.technique` text whose LM is memoised. */
const MAX_MEMO_KEY = 2048;

/** Runs `make`, re-labelling spec errors with the request field they came from. */
function as<T>(param: string, make: () => T): T {
  try {
    return make();
  } catch (error) {
    // A refused host resource keeps its option as `param`: that is what the client must leave out.
    if (
      InvalidRequestError.isInstance(error) &&
      !ModelNotFoundError.isInstance(error) &&
      !HostResourceError.isInstance(error) &&
      error.param !== param
    )
      throw new InvalidRequestError(error.message, { param, cause: error });
    throw error;
  }
}

function isTechniqueLM(lm: unknown): lm is TechniqueLM {
  return (
    typeof lm === "object" &&
    lm !== null &&
    "technique" in lm &&
    typeof (lm as TechniqueLM).technique?.name === "string"
  );
}

function isLM(value: unknown): value is LM {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as LM).complete === "function" &&
    typeof (value as LM).stream === "function"
  );
}

/** Techniques stacked in an LM, following `inner` and LMs given as options (cascade stages...). */
export function techniqueDepth(lm: LM): number {
  if (!isTechniqueLM(lm)) return 0;
  let deepest = techniqueDepth(lm.technique.inner);
  for (const value of Object.values(lm.technique.options).flat())
    if (isLM(value)) deepest = Math.max(deepest, techniqueDepth(value));
  return 1 + deepest;
}

/** Options that say how many samples a technique draws (adaptive-consistency's max and min, cascade's samples). */
const SAMPLE_COUNTS = ["n", "max", "min", "samples", "tests"] as const;

/** The largest sample count (`SAMPLE_COUNTS`) of any technique in the LM. */

function largestN(lm: LM): number {
  if (!isTechniqueLM(lm)) return 0;
  const own = Math.max(
    0,
    ...SAMPLE_COUNTS.map((key) => lm.technique.options[key]).filter((v): v is number => typeof v === "number"),
  );
  let most = Math.max(own, largestN(lm.technique.inner));
  for (const value of Object.values(lm.technique.options).flat())
    if (isLM(value)) most = Math.max(most, largestN(value));
  return most;
}
