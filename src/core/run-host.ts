import type { Embedder } from "../embeddings/embedder.ts";
import type { StoreKind, StoreLocation } from "../store/store-location.ts";
import type { ToolExchanges } from "../techniques/tools/tool-exchanges.ts";
import type { McpServerConfig } from "../tools/mcp/mcp-server-config.ts";

/**
 * What techniques and tools need from the runtime running them, reached through `RunContext.host`
 * (or bound when a runtime builds the LM) instead of reading the config or the environment.
 */
export interface RunHost {
  /** Where a store lives: `value` (a path, or a name in the state folder), else the configured default. */
  storeLocation(kind: StoreKind, value?: string): StoreLocation;
  /** An embedder from a spec (`openai:<model>`, `llama:<file>`), with the configured settings. */
  embedder(spec: string): Promise<Embedder>;
  /** The configured MCP servers by name, their commands and folders resolved. */
  readonly mcpServers: Readonly<Record<string, McpServerConfig>>;
  /** lmx's own tool exchanges that led to tool calls returned to the caller (bounded). */
  readonly toolExchanges: ToolExchanges;
}
