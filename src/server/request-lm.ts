import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import type { LM } from "../core/types.ts";
import type { RunHost } from "../core/run-host.ts";
import type { TechniqueRegistry } from "../techniques/registry.ts";
import { buildTechniques, parseLMSpec, parseTechniqueSpec, type SpecEnv } from "../techniques/spec/index.ts";
import { foldTechniques, techniqueDepth } from "../techniques/technique-tree.ts";
import { clientOptionPolicy, type OptionGrants } from "../techniques/spec/client-option-policy.ts";
import { HostResourceError } from "../techniques/spec/host-resource-error.ts";
import { ModelNotFoundError } from "../core/errors/model-not-found-error.ts";
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
  /** The runtime's host, bound to every LM built (its stores, embedders, MCP servers, tool exchanges). */
  host?: RunHost;
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
  const resolveModel = (spec: string): LM => {
    try {
      return options.resolveModel(spec);
    } catch (error) {
      if (InvalidRequestError.isInstance(error))
        throw new ModelNotFoundError({ model: spec, message: clientMessage(spec, error.message), cause: error });
      throw error;
    }
  };
  /** The resolver lists every provider and endpoint; a client is told only of those it may name. */
  const clientMessage = (spec: string, message: string): string =>
    options.allowProviders && message.startsWith("unknown model spec")
      ? `unknown model spec "${spec}": a model is ${[...options.allowProviders.map((p) => `${p}:<model>`), "a plain model name", "an alias (GET /v1/models)"].join(", ")}`
      : message;
  /**
   * A client's model: a plain name (`gpt-4o-mini`, also in a technique's model option) follows the
   * server's routes; a spec may only name allowed providers (a local file path is not the client's to choose).
   */
  const untrustedModel = (spec: string): LM => {
    const routed = options.route?.(spec.trim());
    return routed ? fromRoute(routed) : allowedModel(spec);
  };
  const allowedModel = (spec: string): LM => {
    const provider = /^([a-z][\w-]*):/.exec(spec.trim())?.[1];
    if (provider && options.allowProviders && !options.allowProviders.includes(provider))
      throw new InvalidRequestError(
        `this server does not let clients name ${provider}: models (allowed: ${options.allowProviders.join(", ") || "none"}); use an alias or the server's default model, or add "${provider}" to server.allowProviders`,
        { param: "model" },
      );
    return resolveModel(spec);
  };
  // Alias texts and the default model are the operator's: built without the client's restrictions.
  const trustedEnv: SpecEnv = {
    registry: options.registry,
    resolveModel,
    aliases: options.aliases,
    defaultModel: options.defaultModel,
    host: options.host,
  };
  const clientEnv: SpecEnv = {
    ...trustedEnv,
    resolveModel: untrustedModel,
    isModelName: (word) => {
      const routed = options.route?.(word);
      return routed !== undefined && "spec" in routed;
    },
    policy: clientOptionPolicy(options.grants ?? {}),
    trusted: trustedEnv,
  };

  /** A route's target is the operator's (trusted, like an alias); a pass-through is the client's model under the operator's technique. */
  function fromRoute(routed: PlainRoute): LM {
    if ("spec" in routed) return parseLMSpec(routed.spec, trustedEnv);
    const inner = allowedModel(routed.model);
    return routed.technique ? buildTechniques(parseTechniqueSpec(routed.technique), inner, trustedEnv) : inner;
  }

  function build(model: string | undefined, technique: string | undefined): LM {
    const spec = model?.trim() || options.defaultModel;
    if (!spec)
      throw new InvalidRequestError("the request names no model and the server has no default model", {
        param: "model",
      });
    const base = as("model", () => parseLMSpec(spec, model?.trim() ? clientEnv : trustedEnv));
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

/** Options that say how many samples a technique draws (adaptive-consistency's max and min, cascade's samples). */
const SAMPLE_COUNTS = ["n", "max", "min", "samples", "tests"] as const;

/** The largest sample count (`SAMPLE_COUNTS`) of any technique in the LM. */
function largestN(lm: LM): number {
  return foldTechniques(
    lm,
    (layer, below) =>
      Math.max(
        ...below,
        ...SAMPLE_COUNTS.map((key) => layer.options[key]).filter((v): v is number => typeof v === "number"),
      ),
    0,
  );
}
