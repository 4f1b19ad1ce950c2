import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { contentText, resultText } from "../../core/messages.ts";
import type { ChatRequest, ToolCall } from "../../core/types.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import { startMcpHttpTestServer } from "../../tools/mcp/testing/mcp-http-test-server.ts";
import type { Span } from "../../trace/span.ts";
import { defaultRegistry } from "../registry.ts";
import { parseLMSpec } from "../spec/index.ts";
import { createLmxRuntime, type LmxRuntime } from "../../runtime/create-lmx-runtime.ts";
import { tools } from "./tools.ts";

const memoryServer = fileURLToPath(import.meta.resolve("@modelcontextprotocol/server-memory/dist/index.js"));
const dir = mkdtempSync(join(tmpdir(), "lmx-tools-mcp-"));
let runtime: LmxRuntime;
const ask: ChatRequest = {
  messages: [
    {
      role: "user",
      content: "Remember that Ada Lovelace wrote the first program, then tell me what you know about her.",
    },
  ],
};
const call = (id: string, name: string, args: unknown): ToolCall => ({
  id,
  type: "function",
  function: { name, arguments: JSON.stringify(args) },
});
const toolResults = (r: ChatRequest) => r.messages.filter((m) => m.role === "tool").map((m) => contentText(m.content));

before(() => {
  // mcp:<name> is looked up in the runtime's configured servers (lmx.config.json's mcp.servers).
  const config = {
    mcp: {
      servers: {
        memory: {
          command: process.execPath,
          args: [memoryServer],
          env: { MEMORY_FILE_PATH: join(dir, "graph.jsonl") },
        },
      },
    },
  };
  writeFileSync(join(dir, "lmx.config.json"), JSON.stringify(config));
  runtime = createLmxRuntime(join(dir, "lmx.config.json"), { env: {} });
});
after(async () => {
  await runtime.close();
  rmSync(dir, { recursive: true, force: true });
});

function spans(span: Span): Span[] {
  return span.children.flatMap((c) => [c, ...spans(c)]);
}

test("tools(tools=[mcp:memory]) from a spec: the configured npm server is started, called through the loop, and stopped", async () => {
  const lm = scriptedLM((request) => {
    const results = toolResults(request);
    if (results.length === 0)
      return {
        tool_calls: [
          call("c1", "memory__create_entities", {
            entities: [{ name: "Ada_Lovelace", entityType: "person", observations: ["wrote the first program"] }],
          }),
        ],
      };
    if (results.length === 1) return { tool_calls: [call("c2", "memory__read_graph", {})] };
    return `From memory: ${results[1]}`;
  });
  const resolveModel = () => lm;
  const technique = parseLMSpec("tools(tools=[mcp:memory, calculator], max_steps=4)@scripted:test", {
    ...runtime.specEnv,
    resolveModel,
  });
  const ctx = createRunContext();
  const result = await technique.complete(ask, ctx);
  const offered = lm.calls[0]!.tools!.map((t) => t.function.name);
  for (const name of ["memory__create_entities", "memory__read_graph", "calculator"])
    assert.ok(offered.includes(name), `${name} is offered`);
  // The real server's answer reached the model: the graph it read back holds the entity it stored.
  const graph = toolResults(lm.calls[2]!)[1]!;
  assert.match(graph, /"name": ?"Ada_Lovelace"/);
  assert.match(graph, /wrote the first program/);
  assert.match(resultText(result), /^From memory: .*Ada_Lovelace/s);
  const techniqueSpan = spans(ctx.span).find((s) => s.kind === "technique")!;
  const toolSpans = spans(ctx.span).filter((s) => s.kind === "tool");
  assert.deepEqual(
    toolSpans.map((s) => s.name),
    ["memory__create_entities", "memory__read_graph"],
  );
  const connected = techniqueSpan.events.find((e) => e.name === "mcp connected")!;
  const pid = connected.data.pid as number;
  assert.ok(pid > 0);
  assert.throws(() => process.kill(pid, 0), /ESRCH/, "the server process ended with the run");
});

test("a streamable HTTP server given in the options: parallel calls, and its error result goes back to the model", async () => {
  const server = await startMcpHttpTestServer();
  try {
    const lm = scriptedLM((request) => {
      const results = toolResults(request);
      if (results.length === 0)
        return {
          tool_calls: [
            call("a", "calc__add", { a: 19, b: 23 }),
            call("b", "calc__explode", {}),
            call("c", "calc__shout", { text: "done" }),
          ],
        };
      return results.join(" | ");
    });
    const result = await tools(lm, { tools: ["mcp:calc"], mcp_servers: { calc: { url: server.url } } }).complete(ask);
    assert.equal(resultText(result), "42 | Error: the detonator is wet | DONE");
    assert.deepEqual(server.calls.map((c) => c.tool).sort(), ["add", "explode", "shout"]);
  } finally {
    await server.close();
  }
});

test("an MCP server that is not configured is a ConfigurationError naming the configured ones", async () => {
  const lm = scriptedLM(() => "x");
  await assert.rejects(
    tools(lm, { tools: ["mcp:github"] }).complete(ask, runtime.runContext()),
    (e) => ConfigurationError.isInstance(e) && /"github" is not configured.*configured: memory/.test(e.message),
  );
  assert.equal(lm.calls.length, 0);
});
