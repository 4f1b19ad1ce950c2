import type { Caller } from "./access.ts";
import type { StoredTrace, TraceStore, TraceSummary } from "./trace-store.ts";

/** The root span attribute naming the tenant a trace belongs to. */
export const TENANT_ATTRIBUTE = "lmx.tenant";

/** Traces as one caller may see them: a tenant its own, the operator all. */
export interface TenantTraces {
  list(caller: Caller, options: { limit: number }): Promise<TraceSummary[]>;
  get(caller: Caller, id: string): Promise<StoredTrace | undefined>;
}

/**
 * Tenant filtering over any trace store. Owners are read from the stored root span (so they survive
 * a restart) and remembered in a bounded map, so a listing costs one lookup per trace after the first.
 * A trace with no owner (written before keys were configured) is the operator's only.
 */
export function tenantTraces(store: TraceStore, options: { scan: number; remember?: number }): TenantTraces {
  const owners = new Map<string, string | null>();
  const remember = options.remember ?? 4096;
  const ownerOf = async (id: string): Promise<string | null> => {
    const known = owners.get(id);
    if (known !== undefined) return known;
    const tenant = (await store.get(id))?.root.attributes[TENANT_ATTRIBUTE];
    const owner = typeof tenant === "string" ? tenant : null;
    if (owners.size >= remember) owners.delete(owners.keys().next().value!);
    owners.set(id, owner);
    return owner;
  };
  const visible = async (caller: Caller, id: string) =>
    caller.operator || (caller.tenant !== undefined && (await ownerOf(id)) === caller.tenant);
  return {
    async list(caller, { limit }) {
      if (caller.operator) return store.list({ limit });
      const out: TraceSummary[] = [];
      for (const t of await store.list({ limit: options.scan })) {
        if (out.length >= limit) break;
        if (await visible(caller, t.id)) out.push(t);
      }
      return out;
    },
    async get(caller, id) {
      if (!(await visible(caller, id))) return undefined;
      return store.get(id);
    },
  };
}
