import { resolve } from "node:path";
import { mcpServerSchema, type McpServerConfig } from "./mcp-server-config.ts";

/** A configured server with its relative command and folder resolved against `base` (the config's folder). */
export function resolveMcpServer(found: McpServerConfig, base: string): McpServerConfig {
  const server = mcpServerSchema.parse(found);
  if (!("command" in server)) return server;
  const command = /^\.\.?[\\/]/.test(server.command) ? resolve(base, server.command) : server.command;
  return { ...server, command, cwd: resolve(base, server.cwd ?? ".") };
}
