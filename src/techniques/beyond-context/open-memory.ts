import { existsSync } from "node:fs";
import { loadConfig } from "../../config/load-config.ts";
import type { Embedder } from "../../embeddings/embedder.ts";
import { MemoryStore } from "../../store/memory/memory-store.ts";
import { storeLocation } from "../../store/store-location.ts";
import { resolveEmbedder } from "./embedder-option.ts";

/** The memory file the `store` option names (else LMX_MEMORY, config memory.path, <state>/memory.sqlite). */
export function memoryFile(store: string | undefined): string {
  return storeLocation({ kind: "memory", value: store, config: store ? undefined : loadConfig() }).path;
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
}): Promise<MemoryStore | undefined> {
  const { path, create } = options;
  if (!create && !existsSync(path)) return undefined;
  const probe = MemoryStore.open({ path });
  const builtWith = probe.stats().embedder;
  probe.close();
  const embedder = await resolveEmbedder({ value: options.embedder, builtWith, owner: options.owner });
  return MemoryStore.open({ path, embedder });
}
