import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { AbortedError } from "../../core/errors/aborted-error.ts";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { ToolError } from "../tool-error.ts";
import { connectMcpServer } from "./connect-mcp-server.ts";
import { startMcpHttpTestServer } from "./testing/mcp-http-test-server.ts";

const memoryServer = fileURLToPath(import.meta.resolve("@modelcontextprotocol/server-memory/dist/index.js"));
const dir = mkdtempSync(join(tmpdir(), "lmx-mcp-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test("a stdio server from npm is started, its tools listed with prefixed names and called; close ends its process", async () => {
  const file = join(dir, "memory.jsonl");
  const conn = await connectMcpServer({
    name: "memory",
    server: { command: process.execPath, args: [memoryServer], env: { MEMORY_FILE_PATH: file } },
  });
  const pid = conn.pid!;
  try {
    const names = conn.tools.map((t) => t.definition.function.name);
    assert.ok(names.includes("memory__create_entities") && names.includes("memory__read_graph"), names.join(", "));
    const create = conn.tools.find((t) => t.definition.function.name === "memory__create_entities")!;
    assert.equal(
      (create.definition.function.parameters as { type: string }).type,
      "object",
      "the input schema is passed through",
    );
    const ctx = createRunContext();
    await create.execute(
      { entities: [{ name: "Ada_Lovelace", entityType: "person", observations: ["wrote the first program"] }] },
      ctx,
    );
    const read = conn.tools.find((t) => t.definition.function.name === "memory__read_graph")!;
    const graph = String(await read.execute({}, ctx));
    assert.match(graph, /Ada_Lovelace/);
    assert.match(readFileSync(file, "utf8"), /wrote the first program/, "the real server wrote its file");
    assert.ok(alive(pid));
  } finally {
    await conn.close();
  }
  assert.equal(alive(pid), false, "no child process is left behind");
  await conn.close();
});

test("a streamable HTTP server is listed and called; an error result is a ToolError", async () => {
  const server = await startMcpHttpTestServer();
  const conn = await connectMcpServer({ name: "calc", server: { url: server.url } });
  try {
    assert.deepEqual(
      conn.tools.map((t) => t.definition.function.name),
      ["calc__add", "calc__shout", "calc__explode"],
    );
    const ctx = createRunContext();
    assert.equal(await conn.tools[0]!.execute({ a: 2, b: 40 }, ctx), "42");
    await assert.rejects(
      Promise.resolve(conn.tools[2]!.execute({}, ctx)),
      (e) => ToolError.isInstance(e) && e.message === "the detonator is wet",
    );
    assert.deepEqual(
      server.calls.map((c) => c.tool),
      ["add", "explode"],
    );
  } finally {
    await conn.close();
    await server.close();
  }
});

test("aborting while a server starts is an AbortedError (not a broken-server ConfigurationError), and its process is ended", async () => {
  // Writes its pid, reads stdin (so it ends when lmx closes it) but never answers the MCP handshake.
  const pidFile = join(dir, "silent.pid");
  const silent = `require("fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); process.stdin.on("data", () => {}); process.stdin.on("end", () => process.exit(0))`;
  const controller = new AbortController();
  const started = connectMcpServer({
    name: "silent",
    server: { command: process.execPath, args: ["-e", silent] },
    signal: controller.signal,
  });
  for (let i = 0; i < 200 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 25));
  const pid = Number(readFileSync(pidFile, "utf8"));
  controller.abort();
  await assert.rejects(started, (e) => AbortedError.isInstance(e) && /MCP server "silent"/.test(e.message));
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 25));
  assert.equal(alive(pid), false, "no child process is left behind");
});

test("a server that cannot start is a ConfigurationError naming it; its stderr is in `detail`, never the message", async () => {
  const script = "process.stderr.write('missing API key for the widget service\\n'); process.exit(3)";
  await assert.rejects(
    connectMcpServer({ name: "widgets", server: { command: process.execPath, args: ["-e", script] } }),
    (e) =>
      ConfigurationError.isInstance(e) &&
      /MCP server "widgets"/.test(e.message) &&
      !/missing API key|-e/.test(e.message) &&
      /missing API key/.test((e as ConfigurationError & { detail?: string }).detail ?? ""),
  );
});
