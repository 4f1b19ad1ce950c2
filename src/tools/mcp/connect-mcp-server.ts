// The MCP SDK loads only when a server is connected (it costs ~150 ms of start-up otherwise).
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { AbortedError } from "../../core/errors/aborted-error.ts";
import { McpStartError } from "./mcp-start-error.ts";
import type { Tool } from "../tool.ts";
import { ToolError } from "../tool-error.ts";
import { mcpResultText } from "./mcp-result-text.ts";
import { mcpServerSchema, type McpServerConfig } from "./mcp-server-config.ts";
import { mcpToolName } from "./mcp-tool-name.ts";

/** An open connection to one MCP server and its tools as lmx tools. */
export interface McpConnection {
  server: string;
  tools: Tool[];
  /** The child process of a stdio server. */
  pid?: number;
  /** Closes the session (a stdio server's process is ended). Safe to call twice. */
  close(): Promise<void>;
}

export interface ConnectMcpOptions {
  /** The server's name: it prefixes its tools' names (`name__tool`). */
  name: string;
  server: McpServerConfig;
  signal?: AbortSignal;
  /** Per-request timeout (default 60 s). */
  timeoutMs?: number;
}

/**
 * Connects to an MCP server (`{command, args, env}` is started as a child process and spoken to
 * over stdio; `{url}` over streamable HTTP), lists its tools and wraps each as a Tool: the name is
 * prefixed with the server's, the input schema passed through, and a call goes to `callTool`. A
 * result the server marks as an error is thrown as a ToolError so the model sees it as one.
 */
export async function connectMcpServer(options: ConnectMcpOptions): Promise<McpConnection> {
  const [{ Client }, { StdioClientTransport }, { StreamableHTTPClientTransport }] = await Promise.all([
    import("@modelcontextprotocol/sdk/client/index.js"),
    import("@modelcontextprotocol/sdk/client/stdio.js"),
    import("@modelcontextprotocol/sdk/client/streamableHttp.js"),
  ]);
  const { name, signal, timeoutMs = 60_000 } = options;
  const server = mcpServerSchema.parse(options.server);
  const stderr: string[] = [];
  let transport: Transport;
  let stdio: StdioClientTransport | undefined;
  if ("command" in server) {
    stdio = new StdioClientTransport({
      command: server.command,
      args: server.args,
      env: server.env,
      cwd: server.cwd,
      stderr: "pipe",
    });
    // Read stderr (else a chatty server blocks on a full pipe); its tail explains a failed start.
    stdio.stderr?.on("data", (chunk: Buffer) => {
      stderr.push(chunk.toString());
      if (stderr.length > 50) stderr.shift();
    });
    transport = stdio;
  } else {
    transport = new StreamableHTTPClientTransport(new URL(server.url), {
      requestInit: server.headers ? { headers: server.headers } : undefined,
    });
  }
  const client = new Client({ name: "lmx", version: "0.1.0" });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await client.close().catch(() => {});
  };
  try {
    await client.connect(transport, { signal, timeout: timeoutMs });
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : undefined, { signal, timeout: timeoutMs });
      for (const t of page.tools) tools.push(wrapTool({ client, server: name, tool: t, timeoutMs }));
      cursor = page.nextCursor;
    } while (cursor);
    return { server: name, tools, pid: stdio?.pid ?? undefined, close };
  } catch (error) {
    await close();
    // The caller gave up (Ctrl-C, a finished run): that is an abort, not a broken server.
    if (signal?.aborted) throw new AbortedError(`the connection to MCP server "${name}" was aborted`, { cause: error });
    const tail = stderr.join("").trim().split("\n").slice(-5).join("\n");
    const where = "command" in server ? `${server.command} ${server.args.join(" ")}`.trim() : server.url;
    const reason =
      "command" in server ? "it did not start or answer as an MCP server" : "it did not answer as an MCP server";
    throw new McpStartError({
      server: name,
      reason,
      detail: `${where}: ${(error as Error).message}${tail ? `\nIts stderr ended with:\n${tail}` : ""}`,
      cause: error,
    });
  }
}

function wrapTool(options: {
  client: Client;
  server: string;
  tool: { name: string; description?: string; inputSchema: Record<string, unknown> };
  timeoutMs: number;
}): Tool {
  const { client, server, tool, timeoutMs } = options;
  const name = mcpToolName({ server, tool: tool.name });
  return {
    definition: {
      type: "function",
      function: {
        name,
        description: tool.description
          ? `${tool.description} (MCP server ${server})`
          : `Tool ${tool.name} of MCP server ${server}`,
        parameters: tool.inputSchema,
      },
    },
    async execute(args, ctx) {
      const result = await client.callTool({ name: tool.name, arguments: args }, undefined, {
        signal: ctx.signal,
        timeout: timeoutMs,
      });
      const text = mcpResultText(result);
      if (result.isError) throw new ToolError({ tool: name, message: text || `${tool.name} failed` });
      return text;
    },
  };
}
