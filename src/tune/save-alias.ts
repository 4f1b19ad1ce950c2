import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigurationError } from "../core/errors/configuration-error.ts";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";

/**
 * Writes `aliases[name] = spec` into an lmx.config.json, creating the file if it is absent. Other
 * keys and aliases are kept, in their order, and the file keeps its indentation (two spaces for a
 * new file). The write is atomic (a temporary file renamed over it), so a crash never leaves half
 * a config. Returns the alias's previous spec, if it had one.
 */
export function saveAlias(options: { path: string; name: string; spec: string }): {
  path: string;
  created: boolean;
  previous?: string;
} {
  const path = resolve(options.path);
  const { name, spec } = options;
  if (!/^[A-Za-z][\w-]*$/.test(name))
    throw new InvalidRequestError(
      `alias name ${JSON.stringify(name)} must start with a letter and hold only letters, digits, "-" and "_"`,
      { param: "save_alias" },
    );
  const created = !existsSync(path);
  let config: Record<string, unknown> = {};
  let indent: string | number = 2;
  if (!created) {
    const text = readFileSync(path, "utf8");
    try {
      config = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigurationError(
        `cannot add an alias to ${path}: it is not valid JSON (${(error as Error).message})`,
        { cause: error },
      );
    }
    if (!config || typeof config !== "object" || Array.isArray(config))
      throw new ConfigurationError(`cannot add an alias to ${path}: it is not a JSON object`);
    indent = /\n([ \t]+)"/.exec(text)?.[1] ?? 2;
  }
  const aliases = config.aliases ?? {};
  if (typeof aliases !== "object" || aliases === null || Array.isArray(aliases))
    throw new ConfigurationError(`cannot add an alias to ${path}: "aliases" is not an object`);
  const previous = (aliases as Record<string, unknown>)[name];
  config.aliases = { ...aliases, [name]: spec };
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(config, null, indent) + "\n");
  renameSync(temporary, path);
  return { path, created, ...(typeof previous === "string" ? { previous } : {}) };
}
