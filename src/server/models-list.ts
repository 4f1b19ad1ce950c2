import type { TechniqueRegistry } from "../techniques/registry.ts";

export interface ModelEntry {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
  description?: string;
  lmx?: Record<string, unknown>;
}

/**
 * What `GET /v1/models` lists: the aliases, every technique on the default model
 * (`TECHNIQUE@<default model>`), and the models the configuration names. Specs `shown` rejects (the
 * operator's own, e.g. naming a local file) are left out: an alias is listed by name only, techniques
 * by their bare names (which run on the default model), and such models not at all.
 */
export function modelsList(options: {
  aliases: Record<string, string>;
  registry: TechniqueRegistry;
  defaultModel?: string;
  configured?: string[];
  /** `server.routes` without wildcards: name → target. */
  routes?: Record<string, string>;
  shown?: (spec: string) => boolean;
}): { object: "list"; data: ModelEntry[] } {
  const { aliases, registry } = options;
  const shown = options.shown ?? (() => true);
  const defaultModel =
    options.defaultModel !== undefined && shown(options.defaultModel) ? options.defaultModel : undefined;
  const data: ModelEntry[] = [];
  const seen = new Set<string>();
  const add = (entry: Omit<ModelEntry, "object" | "created">) => {
    if (seen.has(entry.id)) return;
    seen.add(entry.id);
    data.push({ object: "model", created: 0, ...entry });
  };
  for (const model of [defaultModel, ...(options.configured ?? []).filter(shown)])
    if (model)
      add({
        id: model,
        owned_by: model.split(":")[0] || "lmx",
        description: model === defaultModel ? "the default model" : "a configured model",
        lmx: { kind: "model" },
      });
  for (const [name, spec] of Object.entries(aliases))
    add(
      shown(spec)
        ? { id: name, owned_by: "lmx", description: `alias of ${spec}`, lmx: { kind: "alias", spec } }
        : { id: name, owned_by: "lmx", description: "an alias the operator configured", lmx: { kind: "alias" } },
    );
  for (const [name, target] of Object.entries(options.routes ?? {}))
    add(
      shown(target)
        ? { id: name, owned_by: "lmx", description: `routed to ${target}`, lmx: { kind: "route", spec: target } }
        : { id: name, owned_by: "lmx", description: "a route the operator configured", lmx: { kind: "route" } },
    );
  for (const t of registry.list())
    add({
      id: defaultModel ? `${t.name}@${defaultModel}` : t.name,
      owned_by: "lmx",
      description: t.description,
      lmx: {
        kind: "technique",
        technique: t.name,
        family: t.family,
        paper: t.paper,
        parameters: t.parameters.map((p) => ({ name: p.name, type: p.type, default: p.default, allowed: p.allowed })),
      },
    });
  return { object: "list", data };
}
