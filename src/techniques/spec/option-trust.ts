import type { z } from "zod";

/**
 * Who may set a technique option when the LM is built from an untrusted request (`lmx serve`):
 * - `client`: a value any client may set (numbers, enums, prompts);
 * - `model`: a model a client may name (subject to the server's `allowProviders` and aliases);
 * - `host`: a host resource only the operator may set (commands, MCP servers, file and folder
 *   paths, URLs, embedder specs, verifiers, sandbox limits that raise resource use).
 * The library and the CLI are trusted and may set every option.
 */
export type TrustClass = "client" | "model" | "host";

/** Operator grants a client may name instead of a host resource (see `OptionGrants`). */
export type GrantKind = "indexes" | "memoryStores" | "demoSets" | "tools";

export interface OptionTrust {
  class: TrustClass;
  /** host: a client may name one of these operator grants instead (e.g. `index=docs`). */
  grant?: GrantKind;
  /** host: values a client may still give as they are (e.g. `"auto"`, a list of inline demos). */
  clientMay?: (value: unknown) => boolean;
  /** host: a client may lower the number below its default, never raise it (sandbox limits). */
  lowerOnly?: boolean;
  /**
   * host with a grant: left unset, the option falls back to a host default (the default index or
   * lessons file), so a request must name a grant, or the operator grant one named `default`.
   */
  unsetIsHost?: boolean;
}

const trusts = new WeakMap<z.ZodType, OptionTrust>();

function mark<T extends z.ZodType>(schema: T, trust: OptionTrust): T {
  trusts.set(schema, trust);
  return schema;
}

/** An option any client may set. */
export function clientValue<T extends z.ZodType>(schema: T): T {
  return mark(schema, { class: "client" });
}

/** An option whose value is a model (list in `modelOptions` too); a client may name allowed ones. */
export function clientModel<T extends z.ZodType>(schema: T): T {
  return mark(schema, { class: "model" });
}

/** An option naming a host resource: only the operator (config, aliases, code, CLI) may set it. */
export function hostResource<T extends z.ZodType>(schema: T, details: Omit<OptionTrust, "class"> = {}): T {
  return mark(schema, { class: "host", ...details });
}

/** The trust class declared on an option schema, if any. */
export function optionTrust(schema: z.ZodType): OptionTrust | undefined {
  return trusts.get(schema);
}
