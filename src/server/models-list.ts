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
 * (`TECHNIQUE@<default model>`), and the models the configuration names.
 */
export function modelsList(options: {
  aliases: Record<string, string>;
  registry: TechniqueRegistry;
  defaultModel?: string;
  configured?: string[];
}): { object: "list"; data: ModelEntry[] } {
  const { aliases, registry, defaultModel } = options;
  const data: ModelEntry[] = [];
  const seen = new Set<string>();
  const add = (entry: Omit<ModelEntry, "object" | "created">) => {
    if (seen.has(entry.id)) return;
    seen.add(entry.id);
    data.push({ object: "model", created: 0, ...entry });
  };
  for (const model of [defaultModel, ...(options.configured ?? [])])
    if (model)
      add({
        id: model,
        owned_by: model.split(":")[0] || "lmx",
        description: model === defaultModel ? "the default model" : "a configured model",
        lmx: { kind: "model" },
      });
  for (const [name, spec] of Object.entries(aliases))
    add({ id: name, owned_by: "lmx", description: `alias of ${spec}`, lmx: { kind: "alias", spec } });
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
