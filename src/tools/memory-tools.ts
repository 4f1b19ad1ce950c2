import type { RunContext } from "../core/types.ts";
import { hostOf } from "../runtime/host-of.ts";
import type { LessonStore } from "../store/memory/lesson-store.ts";
import { openMemory } from "../techniques/beyond-context/open-memory.ts";
import { functionTool, type Tool } from "./tool.ts";
import { stringArgument } from "./tool-arguments.ts";

/**
 * `memory_search` and `memory_add` over the lessons store (`lmx memory`): the model can look up
 * what was learned before and write down a new general lesson. `store` is a path or a name as for
 * the `memory` technique (default: LMX_MEMORY, config memory.path, <state>/memory.sqlite; the
 * runtime's database when its store is PostgreSQL).
 */
export function memoryTools(options: { store?: string } = {}): Tool[] {
  const owner = {};
  /** Opens the store with the embedder it was built with (if any) for one call. */
  async function withStore<T>(ctx: RunContext, fn: (store: LessonStore) => Promise<T>): Promise<T> {
    const host = hostOf(ctx);
    const store = (await openMemory({ store: options.store, embedder: "auto", owner, create: true, host }))!;
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  }
  const search = functionTool({
    name: "memory_search",
    description: "Looks up lessons learned earlier (general rules from past mistakes) that are relevant to a query.",
    parameters: {
      type: "object",
      properties: { query: { type: "string" }, k: { type: "integer", minimum: 1, maximum: 10 } },
      required: ["query"],
      additionalProperties: false,
    },
    execute: (args, ctx) =>
      withStore(ctx, async (store) => {
        const query = stringArgument({ tool: "memory_search", args, name: "query" });
        const k = typeof args.k === "number" && Number.isInteger(args.k) ? Math.min(10, Math.max(1, args.k)) : 3;
        const hits = await store.search(query, { k, ctx });
        await store.markUsed(hits.map((h) => h.id));
        return hits.length ? hits.map((h, i) => `${i + 1}. ${h.text}`).join("\n") : "No lessons match.";
      }),
  });
  const add = functionTool({
    name: "memory_add",
    description: "Stores a new lesson: a short, general rule worth remembering for future questions.",
    parameters: {
      type: "object",
      properties: { text: { type: "string" }, tags: { type: "array", items: { type: "string" } } },
      required: ["text"],
      additionalProperties: false,
    },
    execute: (args, ctx) =>
      withStore(ctx, async (store) => {
        const text = stringArgument({ tool: "memory_add", args, name: "text" });
        const tags = Array.isArray(args.tags) ? args.tags.filter((t): t is string => typeof t === "string") : [];
        const lesson = await store.add({ text, tags, source: "tool", ctx });
        return `Stored lesson ${lesson.id}.`;
      }),
  });
  return [search, add];
}
