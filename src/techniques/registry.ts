import { ConfigurationError } from "../core/errors/configuration-error.ts";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import { allTechniques } from "./all.ts";
import type { TechniqueFactory, TechniqueFamily } from "./define-technique.ts";
import { closestNames, didYouMean } from "./spec/closest-names.ts";
import { techniqueParameters, type ParameterInfo } from "./spec/technique-parameters.ts";
import { resolveTunables } from "./tunables/resolve-tunables.ts";
import type { ResolvedTunables } from "./tunables/technique-tunables.ts";

export type { ParameterInfo } from "./spec/technique-parameters.ts";

/** What `lmx techniques`, the proxy's /v1/models and the tuner show about one technique. */
export interface TechniqueInfo {
  name: string;
  family: TechniqueFamily;
  paper: string;
  description: string;
  /** Option keys whose values are LMs. */
  modelOptions: string[];
  parameters: ParameterInfo[];
  /** What the tuner may change, as the technique declares it (knob values worked out). */
  tunables: ResolvedTunables;
}

/** Techniques by name: the one lookup the spec parser, the CLI, the proxy and the tuner share. */
export interface TechniqueRegistry {
  /** The factory named `name`; an InvalidRequestError listing the valid names (closest first) otherwise. */
  get(name: string): TechniqueFactory;
  has(name: string): boolean;
  /** Registered names, in registration order. */
  names(): string[];
  /** One technique's description and parameters (same errors as `get`). */
  info(name: string): TechniqueInfo;
  list(): TechniqueInfo[];
}

/**
 * A registry over `factories`, in their order. Two techniques with one name are a set-up error,
 * since a spec could then mean either.
 */
export function createRegistry(factories: readonly TechniqueFactory[]): TechniqueRegistry {
  const byName = new Map<string, TechniqueFactory>();
  for (const factory of factories) {
    const name = factory.definition.name;
    if (byName.has(name)) throw new ConfigurationError(`two techniques are registered as "${name}"`);
    byName.set(name, factory);
  }
  const infos = new Map<string, TechniqueInfo>();

  function get(name: string): TechniqueFactory {
    const factory = byName.get(name);
    if (!factory) throw unknownTechniqueError({ name, known: [...byName.keys()] });
    return factory;
  }

  function info(name: string): TechniqueInfo {
    let cached = infos.get(name);
    if (!cached) {
      const d = get(name).definition;
      const parameters = techniqueParameters(d);
      cached = {
        name: d.name,
        family: d.family,
        paper: d.paper,
        description: d.description,
        modelOptions: [...(d.modelOptions ?? [])],
        parameters,
        tunables: resolveTunables({ ...d, parameters }),
      };
      infos.set(name, cached);
    }
    return cached;
  }

  return {
    get,
    info,
    has: (name) => byName.has(name),
    names: () => [...byName.keys()],
    list: () => [...byName.keys()].map(info),
  };
}

/** The registry of every built-in technique (`allTechniques`). */
export function defaultRegistry(): TechniqueRegistry {
  return createRegistry(allTechniques);
}

/** `unknown technique "x"; did you mean "y"? Valid techniques (closest first): ...` */
export function unknownTechniqueError(options: {
  name: string;
  known: readonly string[];
  cause?: unknown;
}): InvalidRequestError {
  const { name, known } = options;
  if (known.length === 0)
    return new InvalidRequestError(`unknown technique "${name}": no techniques are registered`, {
      param: "technique",
      cause: options.cause,
    });
  const guess = didYouMean({ word: name, candidates: known });
  const hint = guess ? `; did you mean "${guess}"?` : ".";
  const list = closestNames({ word: name, candidates: known }).join(", ");
  return new InvalidRequestError(`unknown technique "${name}"${hint} Valid techniques (closest first): ${list}`, {
    param: "technique",
    cause: options.cause,
  });
}
