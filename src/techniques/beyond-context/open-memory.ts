import type { RunHost } from "../../core/run-host.ts";
import type { Embedder } from "../../embeddings/embedder.ts";
import type { LessonStore } from "../../store/memory/lesson-store.ts";
import { resolveEmbedder } from "./embedder-option.ts";

/**
 * Opens the memory store the `store` option names (the host's default without one: LMX_MEMORY,
 * config memory.path, <state>/memory.sqlite; the runtime's database when its store is PostgreSQL)
 * with the embedder the option asks for ("auto": the one the store was built with). Undefined when
 * its SQLite file does not exist and `create` is false: nothing learned yet.
 */
export async function openMemory(options: {
  store: string | undefined;
  embedder: string | Embedder;
  owner: object;
  create: boolean;
  host: RunHost;
}): Promise<LessonStore | undefined> {
  const { store, host } = options;
  const probe = host.memoryStore(store, { existing: !options.create });
  if (!probe) return undefined;
  let builtWith: string | undefined;
  try {
    builtWith = (await probe.stats()).embedder;
  } finally {
    await probe.close();
  }
  const embedder = await resolveEmbedder({ value: options.embedder, builtWith, owner: options.owner, host });
  return host.memoryStore(store, { embedder })!;
}

/** The memory store a lesson is learned into: the `store` option's (the host's default without one), created when missing. */
export async function memoryToLearn(
  o: { store?: string; embedder: string | Embedder },
  host: RunHost,
): Promise<LessonStore> {
  return (await openMemory({ store: o.store, embedder: o.embedder, owner: o, create: true, host }))!;
}
