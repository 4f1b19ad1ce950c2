/**
 * `lmx serve` as a gateway against a reference gateway (issue 13): pass-through throughput (req/s) and
 * latency (p50/p99) of chat completions (JSON and streamed), Responses and Anthropic Messages, at 1 and
 * 16 connections (autocannon), to the same zero-latency upstream: directly, through `lmx serve` (the real
 * CLI in its own process, with keys, its trace store and every limit and check on) and through the
 * Portkey gateway 1.15.2 (installed for the benchmark only, into a cache folder, not a dependency).
 * Each round runs every point once, the three targets one after another in a rotating order, because
 * the machine is shared and noisy; figures are medians over rounds and the lmx/reference ratios are
 * taken per round. A route a target answers 404 is "not served" and skipped.
 *
 *   node --import tsx bench/gateway.ts [--seconds 5] [--rounds 3] [--routes chat,chat-stream,responses,messages]
 *   node --import tsx bench/gateway.ts --upstream   (the upstream alone, prints its port)
 */
import autocannon from "autocannon";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const PORTKEY_VERSION = "1.15.2";
const KEY = "bench-key-0123456789abcdef";
const TEXT = "The answer is 42.";
const root = fileURLToPath(new URL("..", import.meta.url));

type Target = "direct" | "lmx" | "reference";
const TARGETS: Target[] = ["direct", "lmx", "reference"];

interface Route {
  name: string;
  path: string;
  /** The reference gateway's provider for this wire format. */
  provider: "openai" | "anthropic";
  body(model: string): unknown;
  /** The model each target is sent: lmx takes a spec, the others the upstream's name. */
  lmxModel: string;
}

const ask = "What is six times seven?";
export const ROUTES: Route[] = [
  {
    name: "chat",
    path: "/v1/chat/completions",
    provider: "openai",
    lmxModel: "openai:bench-model",
    body: (model) => ({ model, messages: [{ role: "user", content: ask }] }),
  },
  {
    name: "chat-stream",
    path: "/v1/chat/completions",
    provider: "openai",
    lmxModel: "openai:bench-model",
    body: (model) => ({ model, stream: true, messages: [{ role: "user", content: ask }] }),
  },
  {
    name: "responses",
    path: "/v1/responses",
    provider: "openai",
    lmxModel: "openai:bench-model",
    body: (model) => ({ model, input: ask }),
  },
  {
    name: "responses-stream",
    path: "/v1/responses",
    provider: "openai",
    lmxModel: "openai:bench-model",
    body: (model) => ({ model, stream: true, input: ask }),
  },
  {
    name: "messages",
    path: "/v1/messages",
    provider: "anthropic",
    lmxModel: "anthropic:bench-model",
    body: (model) => ({ model, max_tokens: 64, messages: [{ role: "user", content: ask }] }),
  },
  {
    name: "messages-stream",
    path: "/v1/messages",
    provider: "anthropic",
    lmxModel: "anthropic:bench-model",
    body: (model) => ({ model, stream: true, max_tokens: 64, messages: [{ role: "user", content: ask }] }),
  },
];

export interface Point {
  rps: number;
  /** Mean latency: autocannon's percentiles are whole milliseconds, too coarse below 1 ms. */
  mean_ms: number;
  p50_ms: number;
  p99_ms: number;
  non2xx: number;
  errors: number;
  /** CPU time the target's server process spent per answered request (Linux only): the figure a loaded machine disturbs least. */
  cpu_ms_per_req?: number;
}

export interface GatewayBenchRow {
  route: string;
  connections: number;
  /** Medians over rounds; "not served" when the target answered 404; a string on another failure. */
  direct: Point | string;
  lmx: Point | string;
  reference: Point | string;
  /** Median over rounds of lmx/reference req/s (≥ 1 is the goal). */
  rps_ratio?: number;
  /** Median over rounds of lmx/reference p99 (≤ 1 is the goal). */
  p99_ratio?: number;
  /** Every round's figures, to show the noise. */
  rounds: Partial<Record<Target, Point[]>>;
}

export interface GatewayBenchResult {
  name: "gateway";
  reference: string;
  seconds: number;
  rounds: number;
  rows: GatewayBenchRow[];
  goals: { name: string; value: string; goal: string; met: boolean | undefined }[];
}

export async function run(
  options: {
    seconds?: number;
    rounds?: number;
    /** Unmeasured load on each served route and target before the first round (default 2 s). */
    warmupSeconds?: number;
    connections?: number[];
    routes?: string[];
    log?: (line: string) => void;
  } = {},
): Promise<GatewayBenchResult> {
  const args = cliArgs();
  const seconds = options.seconds ?? args.seconds ?? 5;
  const rounds = options.rounds ?? args.rounds ?? 3;
  const warmupSeconds = options.warmupSeconds ?? 2;
  const connections = options.connections ?? [1, 16];
  const wanted = options.routes ?? args.routes;
  const routes = wanted ? ROUTES.filter((r) => wanted.includes(r.name)) : ROUTES;
  const log = options.log ?? console.log;

  const dir = mkdtempSync(join(tmpdir(), "lmx-bench-gateway-"));
  const children: ChildProcess[] = [];
  try {
    const upstream = await startChild(
      process.execPath,
      ["--import", "tsx", fileURLToPath(import.meta.url), "--upstream"],
      /^upstream listening on (\d+)/,
      children,
    );
    const upstreamUrl = `http://127.0.0.1:${upstream}`;
    const lmxPort = await startLmx(upstreamUrl, dir, children);
    const refPort = await startReference(children, log);
    const base: Record<Target, string> = {
      direct: upstreamUrl,
      lmx: `http://127.0.0.1:${lmxPort}`,
      reference: `http://127.0.0.1:${refPort}`,
    };
    const pid: Record<Target, number | undefined> = {
      direct: children[0]!.pid,
      lmx: children[1]!.pid,
      reference: children[2]!.pid,
    };
    const request = (target: Target, route: Route) => ({
      url: base[target] + route.path,
      headers: headersFor(target, route, upstreamUrl),
      body: JSON.stringify(route.body(target === "lmx" ? route.lmxModel : "bench-model")),
    });

    // Which target serves which route, checked with one real request each (the answer must carry the text).
    const served = new Map<string, string | true>();
    for (const route of routes)
      for (const target of TARGETS) served.set(`${route.name}/${target}`, await probe(request(target, route)));

    // Warm every server's JIT and connection pools before anything is measured.
    for (const route of routes)
      for (const target of TARGETS)
        if (served.get(`${route.name}/${target}`) === true) await measure(request(target, route), 16, warmupSeconds);

    const samples = new Map<string, Point[]>();
    for (let round = 0; round < rounds; round++) {
      for (const route of routes)
        for (const c of connections) {
          // Rotate the order of the targets each round, so none always runs on a machine warmed by another.
          const order = TARGETS.map((_, i) => TARGETS[(i + round) % TARGETS.length]!);
          for (const target of order) {
            if (served.get(`${route.name}/${target}`) !== true) continue;
            const point = await measure(request(target, route), c, seconds, pid[target]);
            const key = `${route.name}/${c}/${target}`;
            samples.set(key, [...(samples.get(key) ?? []), point]);
          }
        }
      log(`gateway bench: round ${round + 1}/${rounds} done`);
    }

    const rows: GatewayBenchRow[] = [];
    for (const route of routes)
      for (const c of connections) {
        const of = (t: Target) => samples.get(`${route.name}/${c}/${t}`) ?? [];
        const cell = (t: Target): Point | string => {
          const s = served.get(`${route.name}/${t}`)!;
          return s === true ? median(of(t)) : s;
        };
        const lmx = of("lmx");
        const ref = of("reference");
        const paired = lmx.length > 0 && lmx.length === ref.length;
        rows.push({
          route: route.name,
          connections: c,
          direct: cell("direct"),
          lmx: cell("lmx"),
          reference: cell("reference"),
          rps_ratio: paired ? med(lmx.map((p, i) => p.rps / ref[i]!.rps)) : undefined,
          p99_ratio: paired ? med(lmx.map((p, i) => p.p99_ms / Math.max(ref[i]!.p99_ms, 0.001))) : undefined,
          rounds: { direct: of("direct"), lmx, reference: ref },
        });
      }
    const goals: GatewayBenchResult["goals"] = [];
    for (const row of rows) {
      if (row.rps_ratio === undefined || row.p99_ratio === undefined) continue;
      goals.push({
        name: `${row.route}, ${row.connections} conn: lmx/reference req/s`,
        value: row.rps_ratio.toFixed(2),
        goal: ">= 1",
        met: row.rps_ratio >= 1,
      });
      goals.push({
        name: `${row.route}, ${row.connections} conn: lmx/reference p99`,
        value: row.p99_ratio.toFixed(2),
        goal: "<= 1",
        met: row.p99_ratio <= 1,
      });
    }
    const result: GatewayBenchResult = {
      name: "gateway",
      reference: `@portkey-ai/gateway ${PORTKEY_VERSION}`,
      seconds,
      rounds,
      rows,
      goals,
    };
    log(table(result));
    return result;
  } finally {
    for (const child of children) child.kill("SIGTERM");
    await Promise.all(children.map((c) => (c.exitCode === null ? onceExit(c) : undefined)));
    rmSync(dir, { recursive: true, force: true });
  }
}

function headersFor(target: Target, route: Route, upstreamUrl: string): Record<string, string> {
  const h: Record<string, string> = { "content-type": "application/json" };
  if (target === "lmx") h.authorization = `Bearer ${KEY}`;
  if (target === "direct") h.authorization = "Bearer upstream-key";
  if (target === "reference") {
    h["x-portkey-provider"] = route.provider;
    h["x-portkey-custom-host"] = `${upstreamUrl}/v1`;
    h.authorization = "Bearer upstream-key";
  }
  if (route.provider === "anthropic") {
    h["x-api-key"] = "upstream-key";
    h["anthropic-version"] = "2023-06-01";
  }
  return h;
}

/** true when the target answers the route with the upstream's text; "not served" on a 404; else why not. */
async function probe(r: { url: string; headers: Record<string, string>; body: string }): Promise<string | true> {
  try {
    const res = await fetch(r.url, { method: "POST", headers: r.headers, body: r.body });
    const text = await res.text();
    if (res.status === 404) return "not served";
    if (res.status !== 200) return `failed: ${res.status} ${text.slice(0, 200)}`;
    return text.includes("42") ? true : `failed: no answer text in ${text.slice(0, 200)}`;
  } catch (error) {
    return `failed: ${(error as Error).message}`;
  }
}

export async function measure(
  r: { url: string; headers: Record<string, string>; body: string },
  connections: number,
  seconds: number,
  pid?: number,
): Promise<Point> {
  const cpuBefore = cpuMs(pid);
  const result = await autocannon({
    url: r.url,
    method: "POST",
    headers: r.headers,
    body: r.body,
    connections,
    duration: seconds,
    timeout: 10,
  });
  return {
    rps: Math.round(result.requests.average),
    mean_ms: result.latency.average,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    cpu_ms_per_req: perRequest(cpuBefore, cpuMs(pid), result.requests.total),
  };
}

/** User + system CPU time of a process in ms, from /proc (undefined elsewhere). */
function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

function perRequest(before: number | undefined, after: number | undefined, requests: number): number | undefined {
  if (before === undefined || after === undefined || requests === 0) return undefined;
  return Math.round(((after - before) / requests) * 1000) / 1000;
}

/** `lmx serve` as users start it: the CLI, a config file with keys, its trace store under a scratch state folder. */
async function startLmx(upstreamUrl: string, dir: string, children: ChildProcess[]): Promise<number> {
  const config = join(dir, "lmx.config.json");
  writeFileSync(
    config,
    JSON.stringify({
      providers: {
        openai: { baseURL: `${upstreamUrl}/v1`, apiKey: "upstream-key" },
        anthropic: { baseURL: upstreamUrl, apiKey: "upstream-key" },
      },
      server: { keys: [KEY] },
    }),
  );
  const env = cleanEnv({ XDG_STATE_HOME: join(dir, "state"), XDG_CACHE_HOME: join(dir, "cache") });
  const nodeArgs = (process.env.LMX_BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean);
  return startChild(
    process.execPath,
    [
      ...nodeArgs,
      join(root, "bin/lmx.js"),
      "--config",
      config,
      "serve",
      "--port",
      "0",
      "--model",
      "openai:bench-model",
    ],
    /listening on http:\/\/127\.0\.0\.1:(\d+)/,
    children,
    env,
  );
}

/** The reference gateway, installed at its pinned version into a cache folder on first use. */
async function startReference(children: ChildProcess[], log: (l: string) => void): Promise<number> {
  const cache = join(process.env.XDG_CACHE_HOME || tmpdir(), "lmx-bench", `portkey-gateway-${PORTKEY_VERSION}`);
  const entry = join(cache, "node_modules/@portkey-ai/gateway/build/start-server.js");
  if (!existsSync(entry)) {
    log(`gateway bench: installing @portkey-ai/gateway@${PORTKEY_VERSION} into ${cache}`);
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const r = spawnSync(
      npm,
      ["install", "--prefix", cache, "--no-audit", "--no-fund", `@portkey-ai/gateway@${PORTKEY_VERSION}`],
      { stdio: "inherit", timeout: 300_000 },
    );
    if (r.status !== 0 || !existsSync(entry)) throw new Error("could not install the reference gateway");
  }
  const port = await freePort();
  await startChild(process.execPath, [entry, `--port=${port}`, "--headless"], /./, children, cleanEnv({}), port);
  return port;
}

/** The environment without provider keys or lmx settings, so the children see only what the bench gives them. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(OPENAI_|ANTHROPIC_|LMX_|NODE_OPTIONS)/.test(k)),
  );
  return { ...env, ...extra };
}

/** Spawns a server and resolves with its port: from `ready`'s first group, or `port` once it accepts connections. */
export function startChild(
  command: string,
  args: string[],
  ready: RegExp,
  children: ChildProcess[],
  env: NodeJS.ProcessEnv = process.env,
  port?: number,
): Promise<number> {
  const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let output = "";
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(" ")} did not start: ${output.slice(-500)}`)), 60_000);
    const done = (p: number) => {
      clearTimeout(timer);
      // Keep draining its output so a chatty server never blocks on a full pipe.
      resolve(p);
    };
    const onData = (chunk: Buffer) => {
      if (output.length < 10_000) output += chunk.toString();
      const m = ready.exec(output);
      if (m && port === undefined) done(Number(m[1]));
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited (${code}): ${output.slice(-500)}`)));
    if (port !== undefined) {
      const poll = async () => {
        for (;;) {
          try {
            await fetch(`http://127.0.0.1:${port}/`);
            return done(port);
          } catch {
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      };
      void poll();
    }
  });
}

export function onceExit(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    setTimeout(() => (child.kill("SIGKILL"), resolve()), 5000).unref();
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export function median(points: Point[]): Point {
  return {
    rps: med(points.map((p) => p.rps)),
    mean_ms: med(points.map((p) => p.mean_ms)),
    p50_ms: med(points.map((p) => p.p50_ms)),
    p99_ms: med(points.map((p) => p.p99_ms)),
    non2xx: points.reduce((a, p) => a + p.non2xx, 0),
    errors: points.reduce((a, p) => a + p.errors, 0),
    cpu_ms_per_req: points.every((p) => p.cpu_ms_per_req !== undefined)
      ? med(points.map((p) => p.cpu_ms_per_req!))
      : undefined,
  };
}

export function med(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  const v = s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  return Math.round(v * 100) / 100;
}

function cell(p: Point | string): string {
  if (typeof p === "string") return p.slice(0, 24);
  const bad = p.non2xx + p.errors ? ` !${p.non2xx + p.errors}` : "";
  const cpu = p.cpu_ms_per_req === undefined ? "" : ` ${p.cpu_ms_per_req.toFixed(2)}cpu`;
  return `${p.rps} r/s ${p.p50_ms}/${p.p99_ms} ms${cpu}${bad}`;
}

function table(r: GatewayBenchResult): string {
  const head = `gateway: ${r.reference} as reference; ${r.rounds} rounds × ${r.seconds} s per point; medians (req/s, p50/p99 ms, server CPU ms per request)`;
  const cols = ["route", "conn", "direct", "lmx serve", "reference", "lmx/ref r/s", "lmx/ref p99"];
  const widths = [16, 4, 34, 34, 34, 11, 11];
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  const rows = r.rows.map((row) =>
    line([
      row.route,
      String(row.connections),
      cell(row.direct),
      cell(row.lmx),
      cell(row.reference),
      row.rps_ratio?.toFixed(2) ?? "",
      row.p99_ratio?.toFixed(2) ?? "",
    ]),
  );
  const spread = r.rows
    .filter((row) => (row.rounds.lmx?.length ?? 0) > 1)
    .map(
      (row) =>
        `  ${row.route}/${row.connections}: lmx ${row.rounds.lmx!.map((p) => p.rps).join(", ")} r/s; reference ${row.rounds.reference?.map((p) => p.rps).join(", ") ?? "-"} r/s`,
    );
  return [
    head,
    line(cols),
    `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
    ...rows,
    "per round:",
    ...spread,
  ].join("\n");
}

function cliArgs(): { seconds?: number; rounds?: number; routes?: string[] } {
  const argv = process.argv;
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  return { seconds: num(value("--seconds")), rounds: num(value("--rounds")), routes: value("--routes")?.split(",") };
}

// ---- the upstream: fixed small replies in the three wire formats, JSON or server-sent events ----

/** A zero-latency upstream speaking chat completions, Responses and Messages. Resolves with its port. */
export function startUpstream(port = 0): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => answer(req, res, Buffer.concat(chunks).toString()));
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) =>
    server.listen(port, "127.0.0.1", () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
      }),
    ),
  );
}

function answer(req: IncomingMessage, res: ServerResponse, text: string): void {
  let body: { model?: string; stream?: boolean; stream_options?: { include_usage?: boolean } };
  try {
    body = JSON.parse(text || "{}");
  } catch {
    res.writeHead(400, { "content-type": "application/json" }).end('{"error":{"message":"bad json"}}');
    return;
  }
  const model = body.model ?? "bench-model";
  const path = (req.url ?? "").split("?")[0];
  const reply =
    path === "/v1/chat/completions"
      ? chatReply(model, body)
      : path === "/v1/responses"
        ? responsesReply(model, body.stream === true)
        : path === "/v1/messages"
          ? messagesReply(model, body.stream === true)
          : undefined;
  if (!reply) {
    res.writeHead(404, { "content-type": "application/json" }).end('{"error":{"message":"not found"}}');
    return;
  }
  if (typeof reply === "string") {
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(reply) }).end(reply);
    return;
  }
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  res.end(reply.join(""));
}

const usageChat = { prompt_tokens: 14, completion_tokens: 6, total_tokens: 20 };

function chatReply(model: string, body: { stream?: boolean; stream_options?: { include_usage?: boolean } }) {
  const head = { id: "chatcmpl-bench", created: 1_700_000_000, model };
  if (body.stream !== true)
    return JSON.stringify({
      ...head,
      object: "chat.completion",
      choices: [{ index: 0, message: { role: "assistant", content: TEXT }, finish_reason: "stop", logprobs: null }],
      usage: usageChat,
    });
  const chunk = (choices: unknown[], extra: object = {}) =>
    `data: ${JSON.stringify({ ...head, object: "chat.completion.chunk", choices, ...extra })}\n\n`;
  return [
    chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]),
    chunk([{ index: 0, delta: { content: TEXT }, finish_reason: null }]),
    chunk([{ index: 0, delta: {}, finish_reason: "stop" }]),
    ...(body.stream_options?.include_usage ? [chunk([], { usage: usageChat })] : []),
    "data: [DONE]\n\n",
  ];
}

function responsesReply(model: string, stream: boolean) {
  const message = {
    type: "message",
    id: "msg_bench",
    status: "completed",
    role: "assistant",
    content: [{ type: "output_text", text: TEXT, annotations: [] }],
  };
  const response = (status: string, output: unknown[]) => ({
    id: "resp_bench",
    object: "response",
    created_at: 1_700_000_000,
    status,
    model,
    output,
    usage: status === "completed" ? { input_tokens: 14, output_tokens: 6, total_tokens: 20 } : null,
  });
  if (!stream) return JSON.stringify(response("completed", [message]));
  const event = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  return [
    event("response.created", { response: response("in_progress", []) }),
    event("response.output_item.added", { output_index: 0, item: { ...message, status: "in_progress", content: [] } }),
    event("response.output_text.delta", { item_id: "msg_bench", output_index: 0, content_index: 0, delta: TEXT }),
    event("response.output_text.done", { item_id: "msg_bench", output_index: 0, content_index: 0, text: TEXT }),
    event("response.output_item.done", { output_index: 0, item: message }),
    event("response.completed", { response: response("completed", [message]) }),
  ];
}

function messagesReply(model: string, stream: boolean) {
  const message = {
    id: "msg_bench",
    type: "message",
    role: "assistant",
    model,
    content: [{ type: "text", text: TEXT }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: { input_tokens: 14, output_tokens: 6 },
  };
  if (!stream) return JSON.stringify(message);
  const event = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  return [
    event("message_start", {
      message: { ...message, content: [], stop_reason: null, usage: { input_tokens: 14, output_tokens: 1 } },
    }),
    event("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
    event("content_block_delta", { index: 0, delta: { type: "text_delta", text: TEXT } }),
    event("content_block_stop", { index: 0 }),
    event("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 6 } }),
    event("message_stop", {}),
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes("--upstream")) {
    const { port } = await startUpstream(Number(process.argv[process.argv.indexOf("--upstream") + 1]) || 0);
    console.log(`upstream listening on ${port}`);
  } else await run();
}
