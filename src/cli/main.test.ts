import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";
import { startOpenAITestServer } from "../testing/index.ts";
import { cleanEnv, runCli } from "./testing/run-cli.ts";
import { runMain } from "./testing/run-main.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-main-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const memoryServer = fileURLToPath(import.meta.resolve("@modelcontextprotocol/server-memory/dist/index.js"));

test("-c FILE is the config for everything, MCP servers of the tools technique included (as LMX_CONFIG is)", async () => {
  mkdirSync(join(dir, "conf"));
  const graph = join(dir, "graph.jsonl");
  writeFileSync(
    join(dir, "conf", "lmx.json"),
    JSON.stringify({
      mcp: { servers: { mem: { command: process.execPath, args: [memoryServer], env: { MEMORY_FILE_PATH: graph } } } },
    }),
  );
  // First a call of the MCP server's tool, then an answer.
  const server = await startOpenAITestServer({
    reply: (body: { messages: { role: string }[] }) =>
      body.messages.some((m) => m.role === "tool")
        ? "The answer is 4"
        : {
            content: null,
            tool_calls: [
              {
                name: "mem__create_entities",
                arguments: { entities: [{ name: "Four", entityType: "number", observations: ["2+2"] }] },
              },
            ],
          },
  });
  try {
    const run = await runCli(
      [
        "-c",
        "conf/lmx.json",
        "ask",
        "-m",
        "openai:test-model",
        "-t",
        "tools(tools=[mcp:mem])",
        "--json",
        "What is 2+2?",
      ],
      {
        env: cleanEnv({ OPENAI_BASE_URL: server.url, LMX_TRACES: join(dir, "traces.sqlite") }),
        cwd: dir,
      },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).answer, "4");
    assert.ok(
      existsSync(graph) && /Four/.test(readFileSync(graph, "utf8")),
      "the MCP server named in -c's file ran the tool call",
    );
  } finally {
    await server.close();
  }
});

test("lmx --version prints the package's version", async () => {
  const version = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version;
  const run = await runMain(["--version"]);
  assert.deepEqual([run.code, run.stdout.trim()], [0, version]);
});

test("sampling settings are checked as the proxy checks them: out of range is bad usage (2), for every command that takes them", async () => {
  for (const command of [
    ["ask", "hi"],
    ["eval", "--data", "x.jsonl"],
    ["record", "--data", "x.jsonl", "--out", "x.bank.jsonl"],
  ]) {
    const hot = await runMain([...command, "-m", "openai:test-model", "--temperature", "9"]);
    assert.equal(hot.code, 2, command[0]);
    assert.match(hot.stderr, /9 is out of range: it must be between 0 and 2/);
    const none = await runMain([...command, "-m", "openai:test-model", "--max-tokens", "0"]);
    assert.equal(none.code, 2, command[0]);
    assert.match(none.stderr, /"0" must be at least 1/);
  }
});

test("an unknown technique option is bad usage (2), and the error lists the valid options", async () => {
  const run = await runMain(["ask", "-m", "replay:none.bank.jsonl", "-t", "self-consistency(m=3)", "hi"]);
  assert.equal(run.code, 2);
  assert.match(
    run.stderr,
    /^lmx: self-consistency has no parameter "m"; did you mean "n"\? Valid parameters: n=5 .*; answer=.*; temperature /,
  );
});

test("a data file with no usable records is a failure (1) whether it is empty or all bad, not bad usage", async () => {
  writeFileSync(join(dir, "empty.jsonl"), "");
  writeFileSync(join(dir, "all-bad.jsonl"), '{oops\n{"id": "x", "answer": "1"}\n');
  for (const file of ["empty.jsonl", "all-bad.jsonl"]) {
    const run = await runMain([
      "eval",
      "--data",
      join(dir, file),
      "-m",
      "openai:test-model",
      "--results",
      join(dir, `${file}.sqlite`),
    ]);
    assert.equal(run.code, 1, `${file}: ${run.stderr}`);
    assert.match(run.stderr, new RegExp(`lmx: .*${file.replace(".", "\\.")}.* (has no records|has no usable records)`));
  }
});

test("an invalid request raised while the model runs is a failure (1); the same kind of error in a spec is bad usage (2)", async () => {
  const model = `replay:${join(dir, "none.bank.jsonl")}`;
  const run = await runMain(["ask", "-m", model, "-t", "best-of-n(judge=logprob)", "--no-stream", "hi"]);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /^lmx: best-of-n: judge=logprob needs token logprobs/);
  const bad = await runMain(["ask", "-m", model, "-t", "best-of-n(judge=logprb)", "--no-stream", "hi"]);
  assert.equal(bad.code, 2, bad.stderr);
});

test("an error's detail (an MCP server's command and stderr) is shown below its one-line message", async () => {
  const work = mkdtempSync(join(dir, "detail-"));
  writeFileSync(
    join(work, "lmx.json"),
    JSON.stringify({
      mcp: {
        servers: {
          broken: { command: process.execPath, args: ["-e", "console.error('boom on stderr'); process.exit(3)"] },
        },
      },
    }),
  );
  const server = await startOpenAITestServer({ reply: () => "unused" });
  try {
    const run = await runCli(
      ["-c", "lmx.json", "ask", "-m", "openai:test-model", "-t", "tools(tools=[mcp:broken])", "--no-stream", "hi"],
      { env: cleanEnv({ OPENAI_BASE_URL: server.url }), cwd: work },
    );
    assert.equal(run.code, 1, run.stderr);
    const [message, ...detail] = run.stderr.trimEnd().split("\n");
    assert.match(message!, /^lmx: MCP server "broken" could not be used: it did not start/);
    assert.ok(detail.length >= 2, run.stderr);
    assert.ok(
      detail.every((line) => line.startsWith("  ")),
      run.stderr,
    );
    assert.match(detail.join("\n"), new RegExp(`${process.execPath.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} -e`));
    assert.match(detail.join("\n"), /boom on stderr/);
  } finally {
    await server.close();
  }
});
