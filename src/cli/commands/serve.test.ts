import assert from "node:assert/strict";
import { EventEmitter, once } from "node:events";
import { createServer, type AddressInfo } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { Command } from "commander";
import OpenAI from "openai";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { startOpenAITestServer } from "../../testing/openai-test-server.ts";
import type { CliIO } from "../cli-io.ts";
import { cleanEnv, runCli } from "../testing/run-cli.ts";
import { runMain } from "../testing/run-main.ts";
import { configureServe } from "./serve.ts";
import { openTraceStore } from "../../store/trace-store/sqlite-trace-store.ts";

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  stdout.on("data", (d) => (out += d));
  const io = { stdin: process.stdin, stdout, stderr } as unknown as CliIO;
  return { io, out: () => out };
}

function program(io: CliIO, signals: EventEmitter): Command {
  const p = new Command("lmx").option("-c, --config <file>").exitOverride();
  configureServe(p.command("serve"), p, io, signals);
  return p;
}

test("lmx serve prints its URL, serves requests, and stops cleanly on SIGTERM", async () => {
  const upstream = await startOpenAITestServer({ reply: () => "served" });
  const dir = mkdtempSync(join(tmpdir(), "lmx-serve-"));
  const config = join(dir, "lmx.config.json");
  writeFileSync(
    config,
    JSON.stringify({
      providers: { openai: { baseURL: upstream.url, apiKey: "sk-test-SECRET" } },
      aliases: { fast: "openai:test-model" },
      // The config's trace bounds reach the server's store: only the newest two are kept.
      traces: { capacity: 2 },
    }),
  );
  const signals = new EventEmitter();
  const { io, out } = capture();
  const traces = join(dir, "traces.sqlite");
  const previous = process.env.LMX_TRACES;
  process.env.LMX_TRACES = traces;
  try {
    const running = program(io, signals).parseAsync([
      "node",
      "lmx",
      "serve",
      "--port",
      "0",
      "--model",
      "openai:test-model",
      "--config",
      config,
    ]);
    let url: string | undefined;
    for (let i = 0; i < 500 && !url; i++) {
      url = /listening on (\S+)/.exec(out())?.[1];
      if (!url) await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(url, `no URL printed: ${out()}`);
    assert.match(out(), /default model: openai:test-model; local clients only/);
    const client = new OpenAI({ baseURL: url, apiKey: "none", maxRetries: 0 });
    const r = await client.chat.completions.create({ model: "fast", messages: [{ role: "user", content: "hi" }] });
    assert.equal(r.choices[0]!.message.content, "served");
    assert.equal(r.model, "fast");
    for (let i = 0; i < 3; i++)
      await client.chat.completions.create({ model: "fast", messages: [{ role: "user", content: `hi ${i}` }] });
    signals.emit("SIGTERM");
    await running;
    const saved = openTraceStore({ path: traces, mustExist: true });
    assert.equal((await saved.list()).length, 2, "the newest traces outlive the server, within traces.capacity");
    await saved.close();
    await assert.rejects(fetch(`${url}/models`), "the port is closed");
    assert.equal(signals.listenerCount("SIGINT") + signals.listenerCount("SIGTERM"), 0);
  } finally {
    if (previous === undefined) delete process.env.LMX_TRACES;
    else process.env.LMX_TRACES = previous;
    await upstream.close();
  }
});

test("lmx serve refuses a non-loopback address without keys", async () => {
  const { io } = capture();
  await assert.rejects(
    program(io, new EventEmitter()).parseAsync([
      "node",
      "lmx",
      "serve",
      "--port",
      "0",
      "--host",
      "0.0.0.0",
      "--model",
      "openai:x",
    ]),
    (e) => ConfigurationError.isInstance(e) && /refusing to listen on 0\.0\.0\.0 without keys/.test(e.message),
  );
});

test("exit codes: a port in use is a one-line failure (1), a bad --port bad usage (2)", async () => {
  const taken = createServer().listen(0, "127.0.0.1");
  await once(taken, "listening");
  try {
    const port = (taken.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), "lmx-serve-"));
    const run = await runCli(["serve", "--port", String(port), "-m", "openai:test-model"], {
      cwd: dir,
      env: cleanEnv(),
    });
    assert.equal(run.code, 1, run.stderr);
    assert.equal(
      run.stderr,
      `lmx: cannot listen on 127.0.0.1:${port}: the port is in use (choose another with --port/--host)\n`,
    );
  } finally {
    taken.close();
  }
  const usage = await runMain(["serve", "--port", "x"]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /option '-p, --port <n>' argument 'x' is invalid/);
});
