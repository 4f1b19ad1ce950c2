/**
 * `lmx serve` on the shared backends (issue 15): pass-through throughput (req/s) and latency (p50/p99) of
 * chat completions at 1 and 16 connections (autocannon), to the same zero-latency upstream, for
 *   (a) the default: traces in a SQLite file, no Redis, and
 *   (b) `store: postgres://…` (a fresh database `lmx_b_<random>`, dropped after) and `redis` (a random
 *       key prefix, deleted after) with a `server.keyBudget`, so every request reserves and settles on
 *       the Redis ledger and every trace is written to PostgreSQL,
 * both the real CLI in its own process with a client key and the response cache off, and the upstream
 * alone as the floor. Each round runs every point once, the targets in a rotating order, because the
 * machine is shared and noisy; figures are medians over rounds and the (b)/(a) ratios are taken per round.
 * Skipped when PostgreSQL or Redis does not answer.
 *
 *   node --import tsx bench/scale-proxy.ts [--seconds 5] [--rounds 3]
 */
import { randomBytes } from "node:crypto";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import pg from "pg";
import { cleanEnv, measure, med, median, onceExit, ROUTES, startChild, type Point } from "./gateway.ts";

const PG_SERVER = process.env.LMX_BENCH_PG ?? "postgres://postgres@127.0.0.1:5432";
const REDIS_URL = process.env.LMX_BENCH_REDIS ?? "redis://127.0.0.1:6379";
const KEY = "bench-key-0123456789abcdef";
const root = fileURLToPath(new URL("..", import.meta.url));
const chat = ROUTES.find((r) => r.name === "chat")!;

type Target = "direct" | "sqlite" | "shared";
const TARGETS: Target[] = ["direct", "sqlite", "shared"];

export interface ScaleProxyRow {
  connections: number;
  direct: Point;
  /** (a) SQLite files, no Redis. */
  sqlite: Point;
  /** (b) PostgreSQL store + Redis with a key budget. */
  shared: Point;
  /** Medians over rounds of (b)/(a). */
  rps_ratio: number;
  /** Of mean latency: autocannon's percentiles are whole milliseconds, 0 at 1 connection here. */
  mean_ratio: number;
  p99_ratio: number;
  /** Mean latency each setup adds to the upstream alone (ms, medians of the per-round differences). */
  added_mean_ms: { sqlite: number; shared: number };
  rounds: Record<Target, Point[]>;
}

export interface ScaleProxyResult {
  name: "scale-proxy";
  seconds: number;
  rounds: number;
  rows: ScaleProxyRow[];
  skipped?: string;
  goals: { name: string; value: string; goal: string; met: boolean | undefined }[];
}

export async function run(
  options: { seconds?: number; rounds?: number; connections?: number[]; log?: (line: string) => void } = {},
): Promise<ScaleProxyResult> {
  const args = cliArgs();
  const seconds = options.seconds ?? args.seconds ?? 5;
  const rounds = options.rounds ?? args.rounds ?? 3;
  const connections = options.connections ?? [1, 16];
  const log = options.log ?? console.log;
  const empty: ScaleProxyResult = { name: "scale-proxy", seconds, rounds, rows: [], goals: [] };

  const suffix = randomBytes(6).toString("hex");
  const database = `lmx_b_${suffix}`;
  const prefix = `lmx-b-${suffix}:`;
  try {
    await pgAdmin(`CREATE DATABASE ${database}`);
  } catch (error) {
    log(`scale-proxy bench: skipped, no PostgreSQL at ${PG_SERVER} (${(error as Error).message})`);
    return { ...empty, skipped: "no PostgreSQL" };
  }
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000 });
  redis.on("error", () => {});
  const dir = mkdtempSync(join(tmpdir(), "lmx-bench-scale-proxy-"));
  const children: ChildProcess[] = [];
  try {
    try {
      await redis.connect();
    } catch (error) {
      log(`scale-proxy bench: skipped, no Redis at ${REDIS_URL} (${(error as Error).message})`);
      return { ...empty, skipped: "no Redis" };
    }
    const upstream = await startChild(
      process.execPath,
      ["--import", "tsx", join(root, "bench/gateway.ts"), "--upstream"],
      /^upstream listening on (\d+)/,
      children,
    );
    const upstreamUrl = `http://127.0.0.1:${upstream}`;
    const sqlite = await startLmx(dir, "sqlite", upstreamUrl, {}, children);
    const shared = await startLmx(
      dir,
      "shared",
      upstreamUrl,
      {
        store: `${PG_SERVER}/${database}`,
        redis: { url: REDIS_URL, prefix },
        // Large enough never to run out: the point is the reserve and settle on Redis on every request.
        keyBudget: { calls: 1e12, period: "total", perRequest: { calls: 1 } },
      },
      children,
    );
    const base: Record<Target, string> = {
      direct: upstreamUrl,
      sqlite: `http://127.0.0.1:${sqlite}`,
      shared: `http://127.0.0.1:${shared}`,
    };
    const pid: Record<Target, number | undefined> = {
      direct: children[0]!.pid,
      sqlite: children[1]!.pid,
      shared: children[2]!.pid,
    };
    const request = (target: Target) => ({
      url: base[target] + chat.path,
      headers: {
        "content-type": "application/json",
        authorization: target === "direct" ? "Bearer upstream-key" : `Bearer ${KEY}`,
      },
      body: JSON.stringify(chat.body(target === "direct" ? "bench-model" : chat.lmxModel)),
    });

    for (const target of TARGETS) await check(request(target), target);
    for (const target of TARGETS) await measure(request(target), 16, 2); // warm the JITs and pools

    const samples = new Map<string, Point[]>();
    for (let round = 0; round < rounds; round++) {
      for (const c of connections) {
        const order = TARGETS.map((_, i) => TARGETS[(i + round) % TARGETS.length]!);
        for (const target of order) {
          const key = `${c}/${target}`;
          samples.set(key, [...(samples.get(key) ?? []), await measure(request(target), c, seconds, pid[target])]);
        }
      }
      log(`scale-proxy bench: round ${round + 1}/${rounds} done`);
    }
    const traces = await pgAdmin(`SELECT count(*)::int AS n FROM lmx_traces`, database).catch(() => undefined);
    const ledgerKeys = (await redis.keys(`${prefix}*`)).length;

    const rows: ScaleProxyRow[] = connections.map((c) => {
      const of = (t: Target) => samples.get(`${c}/${t}`)!;
      const a = of("sqlite");
      const b = of("shared");
      const d = of("direct");
      const ratio = (f: (p: Point) => number) => med(b.map((p, i) => f(p) / Math.max(f(a[i]!), 0.001)));
      return {
        connections: c,
        direct: median(d),
        sqlite: median(a),
        shared: median(b),
        rps_ratio: ratio((p) => p.rps),
        mean_ratio: ratio((p) => p.mean_ms),
        p99_ratio: ratio((p) => p.p99_ms),
        added_mean_ms: {
          sqlite: med(a.map((p, i) => p.mean_ms - d[i]!.mean_ms)),
          shared: med(b.map((p, i) => p.mean_ms - d[i]!.mean_ms)),
        },
        rounds: { direct: d, sqlite: a, shared: b },
      };
    });
    const goals: ScaleProxyResult["goals"] = rows.flatMap((row) => [
      {
        name: `${row.connections} conn: PostgreSQL+Redis / SQLite req/s`,
        value: row.rps_ratio.toFixed(2),
        goal: "(reported)",
        met: undefined,
      },
      {
        name: `${row.connections} conn: PostgreSQL+Redis / SQLite p99`,
        value: row.p99_ratio.toFixed(2),
        goal: "(reported)",
        met: undefined,
      },
    ]);
    const result: ScaleProxyResult = { name: "scale-proxy", seconds, rounds, rows, goals };
    log(table(result));
    log(`traces in PostgreSQL: ${traces?.rows[0]?.n ?? "?"}; Redis keys under the prefix: ${ledgerKeys}`);
    return result;
  } finally {
    for (const child of children) child.kill("SIGTERM");
    await Promise.all(children.map((c) => (c.exitCode === null ? onceExit(c) : undefined)));
    rmSync(dir, { recursive: true, force: true });
    await pgAdmin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch((e) =>
      log(`scale-proxy bench: could not drop ${database}: ${(e as Error).message}`),
    );
    if (redis.status === "ready") {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
    }
    redis.disconnect();
  }
}

/** One `lmx serve` from the CLI with its own config and scratch state folder; resolves with its port. */
function startLmx(
  dir: string,
  name: string,
  upstreamUrl: string,
  extra: { store?: string; redis?: unknown; keyBudget?: unknown },
  children: ChildProcess[],
): Promise<number> {
  const config = join(dir, `${name}.config.json`);
  const { keyBudget, ...top } = extra;
  writeFileSync(
    config,
    JSON.stringify({
      providers: { openai: { baseURL: `${upstreamUrl}/v1`, apiKey: "upstream-key" } },
      cache: { enabled: false },
      server: { keys: [KEY], ...(keyBudget ? { keyBudget } : {}) },
      ...top,
    }),
  );
  const env = cleanEnv({ XDG_STATE_HOME: join(dir, name, "state"), XDG_CACHE_HOME: join(dir, name, "cache") });
  // e.g. LMX_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile both servers.
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

async function check(r: { url: string; headers: Record<string, string>; body: string }, target: Target) {
  const res = await fetch(r.url, { method: "POST", headers: r.headers, body: r.body });
  const text = await res.text();
  if (res.status !== 200 || !text.includes("42"))
    throw new Error(`scale-proxy bench: ${target} answered ${res.status} ${text.slice(0, 200)}`);
}

async function pgAdmin(sql: string, database = "postgres"): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: `${PG_SERVER}/${database}`, connectionTimeoutMillis: 3000 });
  client.on("error", () => {});
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}

function cell(p: Point): string {
  const bad = p.non2xx + p.errors ? ` !${p.non2xx + p.errors}` : "";
  const cpu = p.cpu_ms_per_req === undefined ? "" : ` ${p.cpu_ms_per_req.toFixed(2)}cpu`;
  return `${p.rps} r/s ${p.mean_ms.toFixed(2)}/${p.p50_ms}/${p.p99_ms} ms${cpu}${bad}`;
}

function table(r: ScaleProxyResult): string {
  const head = `scale-proxy: lmx serve on (a) SQLite vs (b) PostgreSQL + Redis ledger; ${r.rounds} rounds × ${r.seconds} s per point; medians (req/s, mean/p50/p99 ms, server CPU ms per request)`;
  const cols = ["conn", "upstream alone", "(a) SQLite", "(b) PG + Redis", "b/a r/s", "b/a mean", "b/a p99"];
  const widths = [4, 34, 36, 36, 7, 8, 7];
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [
    head,
    line(cols),
    `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
    ...r.rows.map((row) =>
      line([
        String(row.connections),
        cell(row.direct),
        cell(row.sqlite),
        cell(row.shared),
        row.rps_ratio.toFixed(2),
        row.mean_ratio.toFixed(2),
        row.p99_ratio.toFixed(2),
      ]),
    ),
    ...r.rows.map(
      (row) =>
        `  ${row.connections} conn: added mean latency ${row.added_mean_ms.sqlite} ms (a), ${row.added_mean_ms.shared} ms (b); per round (a) ${row.rounds.sqlite.map((p) => p.rps).join(", ")} r/s, (b) ${row.rounds.shared.map((p) => p.rps).join(", ")} r/s`,
    ),
  ].join("\n");
}

function cliArgs(): { seconds?: number; rounds?: number } {
  const value = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : undefined;
  };
  return { seconds: value("--seconds"), rounds: value("--rounds") };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
