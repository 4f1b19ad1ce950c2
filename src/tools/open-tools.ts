import { ConfigurationError } from "../core/errors/configuration-error.ts";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import { calculatorTool } from "./calculator/calculator-tool.ts";
import { indexSearchTool } from "./index-search-tool.ts";
import { connectMcpServer, type McpConnection } from "./mcp/connect-mcp-server.ts";
import { GrantedMcpServers } from "./mcp/granted-mcp-servers.ts";
import type { McpServerConfig } from "./mcp/mcp-server-config.ts";
export { resolveMcpServer } from "./mcp/resolve-mcp-server.ts";
import { memoryTools } from "./memory-tools.ts";
import { sandboxTool } from "./sandbox-tool.ts";
import { toolName, type OpenTools, type Tool } from "./tool.ts";

/** A tool as a technique option: a built-in's name (`calculator`, `mcp:files`...) or a Tool object. */
export type ToolSpec = string | Tool;

/** The built-in tool names, as `lmx techniques` and errors list them. */
export const builtinToolNames = [
  "calculator",
  "sandbox",
  "sandbox:python",
  "index",
  "index:<path or name>",
  "memory",
  "memory:<path or name>",
  "mcp:<server>",
];

/** Why `name` is not a tool name, or undefined when it is one (MCP servers are checked when opened). */
export function toolNameProblem(name: string): string | undefined {
  if (["calculator", "sandbox", "sandbox:javascript", "sandbox:python", "index", "memory"].includes(name))
    return undefined;
  if (/^(index|memory|mcp):.+$/.test(name)) return undefined;
  return `unknown tool "${name}" (tools: ${builtinToolNames.join(", ")})`;
}

export interface OpenToolsOptions {
  tools: readonly ToolSpec[];
  /** MCP servers by name; names not here are looked up in `configured` (not for granted ones). */
  mcpServers?: Record<string, McpServerConfig> | GrantedMcpServers;
  /** The runtime's configured servers (`RunHost.mcpServers`: lmx.config.json's `mcp.servers`, resolved). */
  configured?: Readonly<Record<string, McpServerConfig>>;
  /** Limits for the sandbox tools. */
  sandbox?: { timeoutMs?: number; memoryBytes?: number };
  signal?: AbortSignal;
}

/**
 * The tools for one run: built-ins by name, Tool objects as they are, and every tool of each
 * `mcp:<server>` (connected now, concurrently). `close()` ends the MCP sessions. Two tools with one
 * name are an InvalidRequestError, an unknown MCP server a ConfigurationError.
 */
export async function openTools(options: OpenToolsOptions): Promise<OpenTools> {
  const tools: Tool[] = [];
  const servers: string[] = [];
  for (const spec of options.tools) {
    if (typeof spec !== "string") tools.push(spec);
    else if (spec.startsWith("mcp:")) servers.push(spec.slice(4));
    else tools.push(...builtin(spec, options));
  }
  const settled = await Promise.allSettled(
    servers.map((name) => connectMcpServer({ name, server: serverConfig(name, options), signal: options.signal })),
  );
  const connections = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const close = async () => void (await Promise.all(connections.map((c: McpConnection) => c.close())));
  const failed = settled.find((s) => s.status === "rejected") as PromiseRejectedResult | undefined;
  if (failed) {
    await close();
    throw failed.reason;
  }
  for (const c of connections) tools.push(...c.tools);
  const seen = new Set<string>();
  for (const tool of tools) {
    const name = toolName(tool);
    if (seen.has(name)) {
      await close();
      throw new InvalidRequestError(`two tools are named "${name}"`, { param: "tools" });
    }
    seen.add(name);
  }
  const info = connections.map((c) => ({
    server: c.server,
    ...(c.pid ? { pid: c.pid } : {}),
    tools: c.tools.map(toolName),
  }));
  return { tools, servers: info, close };
}

function builtin(name: string, options: OpenToolsOptions): Tool[] {
  const problem = toolNameProblem(name);
  if (problem) throw new InvalidRequestError(problem, { param: "tools" });
  const [kind, value] = [name.split(":")[0]!, name.includes(":") ? name.slice(name.indexOf(":") + 1) : undefined];
  if (kind === "calculator") return [calculatorTool];
  if (kind === "sandbox")
    return [sandboxTool({ language: value === "python" ? "python" : "javascript", ...options.sandbox })];
  if (kind === "index") return [indexSearchTool({ index: value })];
  return memoryTools({ store: value });
}

/** A server's settings: from the option, else the runtime's configured ones. */
function serverConfig(name: string, options: OpenToolsOptions): McpServerConfig {
  const given = options.mcpServers;
  // A request's servers are exactly the operator's grants (checked before the run), nothing from a config file.
  if (given instanceof GrantedMcpServers) {
    if (given.has(name)) return given.servers[name]!;
    throw new ConfigurationError(`MCP server "${name}" is not granted to this request`);
  }
  if (given && Object.hasOwn(given, name)) return given[name]!;
  const servers = options.configured ?? {};
  const found = Object.hasOwn(servers, name) ? servers[name] : undefined;
  if (!found) {
    const known = [...Object.keys(given ?? {}), ...Object.keys(servers)];
    throw new ConfigurationError(
      `MCP server "${name}" is not configured: add it to lmx.config.json under mcp.servers (${known.length ? `configured: ${known.join(", ")}` : "none are configured"})`,
    );
  }
  return found;
}
