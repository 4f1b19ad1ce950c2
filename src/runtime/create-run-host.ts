import { dirname } from "node:path";
import type { LoadedConfig } from "../config/load-config.ts";
import type { RunHost } from "../core/run-host.ts";
import type { Embedder } from "../embeddings/embedder.ts";
import { embedderFromSpec } from "../embeddings/embedder-from-spec.ts";
import { storeLocation } from "../store/store-location.ts";
import { ToolExchanges } from "../techniques/tools/tool-exchanges.ts";
import { resolveMcpServer } from "../tools/mcp/resolve-mcp-server.ts";

/** The environment as lmx reads it: variables by name (the entry point passes `process.env`). */
export type LmxEnv = Readonly<Record<string, string | undefined>>;

/**
 * A RunHost over one configuration and environment: store locations (`LMX_INDEX`/`LMX_MEMORY`, the
 * config, the state folder of `env`), embedders with the config's settings, the configured MCP
 * servers, and its own tool exchanges. Nothing here reads `process.env` or a config file.
 */
export function createRunHost(options: {
  config: Pick<LoadedConfig, "index" | "memory" | "file" | "mcp" | "embeddings" | "providers">;
  env: LmxEnv;
  cwd: string;
}): RunHost {
  const { config, env, cwd } = options;
  const base = config.file ? dirname(config.file) : cwd;
  const mcpServers = Object.fromEntries(
    Object.entries(config.mcp?.servers ?? {}).map(([name, server]) => [name, resolveMcpServer(server, base)]),
  );
  const embedderConfig = { embeddings: config.embeddings, providers: config.providers, env: env as NodeJS.ProcessEnv };
  return {
    storeLocation: (kind, value) => storeLocation({ kind, value, config, env: env as NodeJS.ProcessEnv, cwd }),
    embedder: (spec): Promise<Embedder> => embedderFromSpec({ spec, config: embedderConfig, cwd }),
    mcpServers,
    toolExchanges: new ToolExchanges(),
  };
}
