import { z } from "zod";

/** An MCP server lmx starts itself and talks to over stdin/stdout. */
export const stdioServerSchema = z.strictObject({
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  /** Added to a small safe subset of lmx's environment (PATH, HOME...), never all of it. */
  env: z.record(z.string(), z.string()).optional(),
  /** Working folder (default: the config file's folder). */
  cwd: z.string().optional(),
});

/** An MCP server already running, reached over streamable HTTP. */
export const httpServerSchema = z.strictObject({
  url: z.url(),
  headers: z.record(z.string(), z.string()).optional(),
});

/** One entry of `mcp.servers` in lmx.config.json: `{ command, args, env }` or `{ url }`. */
export const mcpServerSchema = z.union([stdioServerSchema, httpServerSchema]);

export type McpServerConfig = z.input<typeof mcpServerSchema>;

/** The `mcp` section of lmx.config.json. */
export const mcpConfigSchema = z.strictObject({ servers: z.record(z.string(), mcpServerSchema).default({}) });
