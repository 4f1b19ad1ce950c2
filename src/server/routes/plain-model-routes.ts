import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import type { TechniqueRegistry } from "../../techniques/registry.ts";
import {
  checkTechniqueSpec,
  closestNames,
  editDistance,
  parseTechniqueSpec,
  type TechniqueSpecAst,
} from "../../techniques/spec/index.ts";

/**
 * Where a plain model name (`gpt-4o-mini`) goes: `spec` is the operator's (a route's target, trusted
 * like an alias); `model` is the client's name on the default endpoint (checked like any client model
 * spec), with the operator's `technique` on top when one is configured.
 */
export type PlainRoute = { spec: string } | { model: string; technique?: string };

export interface PlainModelRoutesOptions {
  /** `server.routes`: a model name or glob (`*` any run of characters, `?` one) → a spec, an alias or a plain upstream model. */
  routes: Record<string, string>;
  aliases: Record<string, string>;
  /** The server's default model: its provider is the endpoint plain names pass through to. */
  defaultModel?: string;
  /** `server.defaultTechnique`: techniques (no model) applied to names no route matches. */
  defaultTechnique?: string;
  /** The techniques: a name that is one stays a technique, a near typo of one an error. */
  registry: TechniqueRegistry;
}

export interface PlainModelRoutes {
  /** The route for `name`, or undefined when it is no plain name, a technique (or a typo of one), or has nowhere to go. */
  route(name: string): PlainRoute | undefined;
  /** The route names without wildcards, for `/v1/models`. */
  names(): string[];
}

/** Longest plain name: the longest model ids are well under this. */
const MAX_NAME = 256;
/** A model name as OpenAI-compatible servers spell them: no spec syntax (`:`, `@`, `>`, parentheses), no spaces. */
const PLAIN = /^[A-Za-z0-9][A-Za-z0-9._\-/]*$/;

/** Whether `text` is a plain model name rather than a spec (anything with `:`, `@`, `>` … is parsed as a spec). */
export function isPlainModelName(text: string): boolean {
  return text.length <= MAX_NAME && PLAIN.test(text) && !text.includes("..");
}

/**
 * Routes for plain model names, so existing OpenAI code works by changing only its base URL: an exact
 * route first, then globs in the order configured, then the default endpoint's model of that name.
 */
export function plainModelRoutes(options: PlainModelRoutesOptions): PlainModelRoutes {
  const exact = new Map<string, string>();
  const globs: { pattern: RegExp; target: string }[] = [];
  for (const [name, target] of Object.entries(options.routes)) {
    if (/[*?]/.test(name)) globs.push({ pattern: globPattern(name), target });
    else exact.set(name, target);
  }
  const techniques = options.registry.names();
  const technique = options.defaultTechnique?.trim() || undefined;
  if (technique) checkDefaultTechnique(technique, options.registry);
  const provider = defaultProvider(options.defaultModel, options.aliases);
  const isTechnique = (name: string) => techniques.includes(name);

  const target = (value: string): PlainRoute => {
    const plain = value.trim();
    // A plain upstream model on the default endpoint; an alias or a spec is taken as written.
    if (isPlainModelName(plain) && !Object.hasOwn(options.aliases, plain) && !isTechnique(plain) && provider)
      return { spec: `${provider}:${plain}` };
    return { spec: plain };
  };

  return {
    route(name) {
      // A technique's name stays the technique (a glob such as `*` must not take it over).
      if (!isPlainModelName(name) || isTechnique(name)) return undefined;
      const routed = exact.get(name) ?? globs.find((g) => g.pattern.test(name))?.target;
      if (routed !== undefined) return target(routed);
      if (likelyTypo(name, techniques) || !provider) return undefined;
      return { model: `${provider}:${name}`, ...(technique ? { technique } : {}) };
    },
    names: () => [...exact.keys()],
  };
}

/** `gpt-*` → /^gpt-.*$/ (everything else literal). */
function globPattern(glob: string): RegExp {
  const body = glob
    .split("")
    .map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[\\^$.|+()[\]{}/-]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, "s");
}

/** A word within a third of its length (at least 2 edits) of a technique name was likely meant as that technique. */
function likelyTypo(name: string, techniques: readonly string[]): boolean {
  const best = closestNames({ word: name, candidates: techniques })[0];
  return (
    best !== undefined &&
    editDistance(name.toLowerCase(), best.toLowerCase()) <= Math.max(2, Math.floor(name.length / 3))
  );
}

/** The provider of the default model (through aliases): `openai:gpt-4o` → `openai`. */
function defaultProvider(defaultModel: string | undefined, aliases: Record<string, string>): string | undefined {
  let spec = defaultModel?.trim();
  for (let hops = 0; spec && hops < 8; hops++) {
    if (Object.hasOwn(aliases, spec)) {
      spec = aliases[spec]!.trim();
      continue;
    }
    const direct = /^([a-z][\w-]*):/.exec(spec)?.[1];
    if (direct && !spec.includes("@")) return direct;
    try {
      spec = parseTechniqueSpec(spec).model?.trim();
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** `server.defaultTechnique` is checked at start-up: techniques that exist, with their options, and no model. */
function checkDefaultTechnique(spec: string, registry: TechniqueRegistry): void {
  let ast: TechniqueSpecAst;
  try {
    ast = parseTechniqueSpec(spec);
    checkTechniqueSpec(ast, registry);
  } catch (error) {
    throw new ConfigurationError(`server.defaultTechnique: ${(error as Error).message}`);
  }
  if (ast.model !== undefined)
    throw new ConfigurationError(
      `server.defaultTechnique takes techniques only (found "@${ast.model}"); it runs on the model the client names`,
    );
}
