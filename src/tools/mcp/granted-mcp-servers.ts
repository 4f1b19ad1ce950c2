import type { McpServerConfig } from "./mcp-server-config.ts";

/**
 * MCP servers the operator granted to a request, by name. Their settings (commands, arguments,
 * environment with its tokens) are the operator's: in specs and traces they print as names only.
 */
export class GrantedMcpServers {
  constructor(readonly servers: Readonly<Record<string, McpServerConfig>>) {}

  has(name: string): boolean {
    return Object.hasOwn(this.servers, name);
  }

  toJSON(): string[] {
    return Object.keys(this.servers).map((name) => `${name} (granted)`);
  }
}
