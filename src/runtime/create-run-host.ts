import { existsSync } from "node:fs";
import { dirname } from "node:path";
import type { LoadedConfig } from "../config/load-config.ts";
import type { RunHost } from "../core/run-host.ts";
import type { Embedder } from "../embeddings/embedder.ts";
import { embedderFromSpec } from "../embeddings/embedder-from-spec.ts";
import { DocumentIndex } from "../store/document-index/document-index.ts";
import { MemoryStore } from "../store/memory/memory-store.ts";
import type { Stores } from "../store/open-stores.ts";
import { storeLocation, storeName, type StoreKind } from "../store/store-location.ts";
import { ToolExchanges } from "../techniques/tools/tool-exchanges.ts";
import { resolveMcpServer } from "../tools/mcp/resolve-mcp-server.ts";

/** The environment as lmx reads it: variables by name (the entry point passes `process.env`). */
export type LmxEnv = Readonly<Record<string, string | undefined>>;

/**
 * A RunHost over one configuration and environment: store locations (`LMX_INDEX`/`LMX_MEMORY`, the
 * config, the state folder of `env`), embedders with the config's settings, the configured MCP
 * servers, and its own tool exchanges. Memory and index stores open through `stores` when it is
 * PostgreSQL, else as SQLite files (also without `stores`: a bare host for library use).
 * Nothing here reads `process.env` or a config file.
 */
export function createRunHost(options: {
  config: Pick<LoadedConfig, "index" | "memory" | "file" | "mcp" | "embeddings" | "providers">;
  env: LmxEnv;
  cwd: string;
  /** The runtime's stores (only a PostgreSQL backend changes where memory and indexes live). */
  stores?: Pick<Stores, "backend" | "memory" | "index">;
}): RunHost {
  const { config, env, cwd, stores } = options;
  const base = config.file ? dirname(config.file) : cwd;
  const mcpServers = Object.fromEntries(
    Object.entries(config.mcp?.servers ?? {}).map(([name, server]) => [name, resolveMcpServer(server, base)]),
  );
  const embedderConfig = { embeddings: config.embeddings, providers: config.providers, env: env as NodeJS.ProcessEnv };
  const locate = (kind: StoreKind, value?: string) =>
    storeLocation({ kind, value, config, env: env as NodeJS.ProcessEnv, cwd });
  /** The database's name for the store, or its SQLite file (undefined: missing and only an existing one wanted). */
  const where = (
    kind: StoreKind,
    value: string | undefined,
    existing = false,
  ): { path: string } | { name: string } | undefined => {
    const { path } = locate(kind, value);
    if (stores?.backend === "postgres") return { name: storeName(kind, path) };
    return existing && !existsSync(path) ? undefined : { path };
  };
  return {
    storeLocation: locate,
    memoryStore(value, { embedder, existing } = {}) {
      const at = where("memory", value, existing);
      if (!at) return undefined;
      return "path" in at ? MemoryStore.open({ path: at.path, embedder }) : stores!.memory(at.name, { embedder });
    },
    documentIndex(value, { embedder, existing } = {}) {
      const at = where("index", value, existing);
      if (!at) return undefined;
      return "path" in at
        ? DocumentIndex.open({ path: at.path, embedder, mustExist: existing })
        : stores!.index(at.name, { embedder });
    },
    embedder: (spec): Promise<Embedder> => embedderFromSpec({ spec, config: embedderConfig, cwd }),
    mcpServers,
    toolExchanges: new ToolExchanges(),
  };
}
