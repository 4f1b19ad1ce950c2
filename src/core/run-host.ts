import type { Embedder } from "../embeddings/embedder.ts";
import type { DocumentStore } from "../store/document-index/document-store.ts";
import type { LessonStore } from "../store/memory/lesson-store.ts";
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
  /**
   * Opens the memory store `value` names (else the configured default) for its caller to close: the
   * runtime's database when its `store` is PostgreSQL (under storeName of the location), else the
   * SQLite file at `storeLocation("memory", value)`. `existing`: undefined when that file is missing
   * (a database store always opens; an unknown name is empty).
   */
  memoryStore(value?: string, options?: { embedder?: Embedder; existing?: boolean }): LessonStore | undefined;
  /** Opens the document index `value` names, as memoryStore does. */
  documentIndex(value?: string, options?: { embedder?: Embedder; existing?: boolean }): DocumentStore | undefined;
  /** An embedder from a spec (`openai:<model>`, `llama:<file>`), with the configured settings. */
  embedder(spec: string): Promise<Embedder>;
  /** The configured MCP servers by name, their commands and folders resolved. */
  readonly mcpServers: Readonly<Record<string, McpServerConfig>>;
  /** lmx's own tool exchanges that led to tool calls returned to the caller (bounded). */
  readonly toolExchanges: ToolExchanges;
}
