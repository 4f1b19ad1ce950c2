import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

/**
 * A real MCP server over streamable HTTP on 127.0.0.1 (a random port), built with the SDK's server
 * classes, for tests: tools `add` (a + b), `shout` (upper-cases text) and `explode` (an error
 * result). Stateless: every request gets its own server and transport. `calls` records tool calls.
 */
export async function startMcpHttpTestServer(): Promise<{
  url: string;
  calls: { tool: string; args: unknown }[];
  close(): Promise<void>;
}> {
  const calls: { tool: string; args: unknown }[] = [];
  const build = () => {
    const server = new McpServer({ name: "lmx-test", version: "1.0.0" });
    server.registerTool(
      "add",
      { description: "Adds two numbers.", inputSchema: { a: z.number(), b: z.number() } },
      async ({ a, b }) => {
        calls.push({ tool: "add", args: { a, b } });
        return { content: [{ type: "text", text: String(a + b) }] };
      },
    );
    server.registerTool(
      "shout",
      { description: "Upper-cases a text.", inputSchema: { text: z.string() } },
      async ({ text }) => {
        calls.push({ tool: "shout", args: { text } });
        return { content: [{ type: "text", text: text.toUpperCase() }] };
      },
    );
    server.registerTool("explode", { description: "Always fails.", inputSchema: {} }, async () => {
      calls.push({ tool: "explode", args: {} });
      return { isError: true, content: [{ type: "text", text: "the detonator is wet" }] };
    });
    return server;
  };
  const http: Server = createServer(async (req, res) => {
    if (req.method !== "POST") {
      res.writeHead(405).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const server = build();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, JSON.parse(Buffer.concat(chunks).toString() || "null"));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    calls,
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}
