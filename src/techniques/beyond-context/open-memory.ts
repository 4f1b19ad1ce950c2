import { existsSync } from "node:fs";
import type { RunHost } from "../../core/run-host.ts";
import type { Embedder } from "../../embeddings/embedder.ts";
import { MemoryStore } from "../../store/memory/memory-store.ts";
import { resolveEmbedder } from "./embedder-option.ts";

/** The memory file the `store` option names (else the host's default: LMX_MEMORY, config memory.path, <state>/memory.sqlite). */
export function memoryFile(store: string | undefined, host: RunHost): string {
  return host.storeLocation("memory", store).path;
}

/**
 * Opens the memory store at `path` with the embedder the option asks for ("auto": the one the store
 * was built with). Undefined when the file does not exist and `create` is false: nothing learned yet.
 */
export async function openMemory(options: {
  path: string;
  embedder: string | Embedder;
  owner: object;
  create: boolean;
  host: RunHost;
}): Promise<MemoryStore | undefined> {
  const { path, create } = options;
  if (!create && !existsSync(path)) return undefined;
  const probe = MemoryStore.open({ path });
  const builtWith = probe.stats().embedder;
  probe.close();
  const embedder = await resolveEmbedder({
    value: options.embedder,
    builtWith,
    owner: options.owner,
    host: options.host,
  });
  return MemoryStore.open({ path, embedder });
}

/** The memory store a lesson is learned into: the `store` option's file (the host's default without one), created when missing. */
export async function memoryToLearn(
  o: { store?: string; embedder: string | Embedder },
  host: RunHost,
): Promise<MemoryStore> {
  return (await openMemory({ path: memoryFile(o.store, host), embedder: o.embedder, owner: o, create: true, host }))!;
}
