/**
 * `lmx serve` as a proxy: the latency it adds to a pass-through request (client → lmx serve → upstream
 * against client → upstream, interleaved, zero-latency local upstream), its throughput with 16
 * concurrent clients, and the wall time of `self-consistency(n=16)` over one plain call against an
 * upstream that takes 200 ms per answer.
 *
 *   node --import tsx bench/proxy.ts
 */
import { pathToFileURL } from "node:url";
import OpenAI from "openai";
import { configSchema } from "../src/config/config-schema.ts";
import { createModelResolver } from "../src/providers/resolve-model.ts";
import { startServer } from "../src/server/start-server.ts";
import { defaultRegistry } from "../src/techniques/registry.ts";
import { startOpenAITestServer } from "../src/testing/openai-test-server.ts";

export interface ProxyBenchResult {
  name: "proxy";
  iterations: number;
  direct_ms: { p50: number; p99: number };
  proxied_ms: { p50: number; p99: number };
  /** Paired per-iteration differences (proxied − direct). */
  added_ms: { p50: number; p99: number };
  throughput: { concurrency: number; requests: number; proxied_rps: number; direct_rps: number };
  /** self-consistency(n=16) wall time / one plain call, 200 ms upstream; undefined when the technique is not registered. */
  sc16_ratio?: number;
  goals: { name: string; value: string; goal: string; met: boolean | undefined }[];
}

const ask = (model: string) => ({ model, messages: [{ role: "user" as const, content: "What is six times seven?" }] });

/** Runs the three measurements; every loop is bounded by a count and by `maxMs`. */
export async function run(
  options: {
    iterations?: number;
    warmup?: number;
    requests?: number;
    concurrency?: number;
    maxMs?: number;
    log?: (line: string) => void;
  } = {},
): Promise<ProxyBenchResult> {
  const {
    iterations = 2000,
    warmup = 200,
    requests = 2000,
    concurrency = 16,
    maxMs = 60_000,
    log = console.log,
  } = options;
  const upstream = await startOpenAITestServer({ reply: () => "The answer is 42." });
  const setup = await proxyTo(upstream.url);
  try {
    const direct = new OpenAI({ baseURL: upstream.url, apiKey: "bench", maxRetries: 0 });
    const proxied = new OpenAI({ baseURL: setup.proxy.url, apiKey: "bench", maxRetries: 0 });
    const viaDirect = async () => void (await direct.chat.completions.create(ask("bench-model")));
    const viaProxy = async () => void (await proxied.chat.completions.create(ask("openai:bench-model")));
    for (let i = 0; i < warmup; i++) await Promise.all([viaDirect(), viaProxy()]).catch(() => undefined);
    const a: number[] = [];
    const b: number[] = [];
    const deadline = performance.now() + maxMs;
    for (let i = 0; i < iterations && performance.now() < deadline; i++) {
      const first = i % 2 === 0 ? [viaDirect, viaProxy] : [viaProxy, viaDirect];
      const t0 = performance.now();
      await first[0]!();
      const t1 = performance.now();
      await first[1]!();
      const t2 = performance.now();
      (i % 2 === 0 ? a : b).push(t1 - t0);
      (i % 2 === 0 ? b : a).push(t2 - t1);
    }
    const added = b.map((x, i) => x - a[i]!);
    const throughput = {
      concurrency,
      requests,
      proxied_rps: await rps(viaProxy, requests, concurrency, maxMs),
      direct_rps: await rps(viaDirect, requests, concurrency, maxMs),
    };
    const sc16 = await selfConsistencyRatio(maxMs);
    const result: ProxyBenchResult = {
      name: "proxy",
      iterations: a.length,
      direct_ms: { p50: quantile(a, 0.5), p99: quantile(a, 0.99) },
      proxied_ms: { p50: quantile(b, 0.5), p99: quantile(b, 0.99) },
      added_ms: { p50: quantile(added, 0.5), p99: quantile(added, 0.99) },
      throughput,
      sc16_ratio: sc16,
      goals: [],
    };
    result.goals = [
      {
        name: "latency added, p50 (pass-through)",
        value: `${result.added_ms.p50.toFixed(3)} ms`,
        goal: "< 1 ms",
        met: result.added_ms.p50 < 1,
      },
      {
        name: "latency added, p99 (pass-through)",
        value: `${result.added_ms.p99.toFixed(3)} ms`,
        goal: "(reported)",
        met: undefined,
      },
      {
        name: `throughput, ${concurrency} clients`,
        value: `${throughput.proxied_rps.toFixed(0)} req/s (direct ${throughput.direct_rps.toFixed(0)})`,
        goal: "(reported)",
        met: undefined,
      },
      {
        name: "self-consistency(n=16) / plain, 200 ms upstream",
        value: sc16 === undefined ? "not registered" : sc16.toFixed(3),
        goal: "< 1.3",
        met: sc16 === undefined ? false : sc16 < 1.3,
      },
    ];
    log(table(result));
    return result;
  } finally {
    await setup.close();
    await upstream.close();
  }
}

async function proxyTo(url: string) {
  const config = {
    ...configSchema.parse({ providers: { openai: { baseURL: url, apiKey: "bench", retries: 0, concurrency: 64 } } }),
    env: {},
  };
  const resolveModel = createModelResolver({ config });
  const proxy = await startServer({
    config,
    resolveModel,
    defaultModel: "openai:bench-model",
    port: 0,
    server: { maxN: 64 },
  });
  return { proxy, close: async () => (await proxy.close(), await resolveModel.close()) };
}

/** Requests per second with `concurrency` clients sharing `total` requests. */
async function rps(call: () => Promise<void>, total: number, concurrency: number, maxMs: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  const deadline = started + maxMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total && performance.now() < deadline) {
        next++;
        await call();
      }
    }),
  );
  return (next / (performance.now() - started)) * 1000;
}

/** Wall time of self-consistency(n=16) over that of one plain call, both through the proxy, 200 ms upstream. */
async function selfConsistencyRatio(maxMs: number): Promise<number | undefined> {
  if (!defaultRegistry().has("self-consistency")) return undefined;
  const slow = await startOpenAITestServer({ reply: () => "The answer is 42.", behaviour: { delayMs: 200 } });
  const setup = await proxyTo(slow.url);
  try {
    const client = new OpenAI({ baseURL: setup.proxy.url, apiKey: "bench", maxRetries: 0, timeout: maxMs });
    const time = async (model: string) => {
      const t = performance.now();
      await client.chat.completions.create(ask(model));
      return performance.now() - t;
    };
    await time("openai:bench-model");
    const plain: number[] = [];
    const sc: number[] = [];
    for (let i = 0; i < 5; i++) {
      plain.push(await time("openai:bench-model"));
      sc.push(await time("self-consistency(n=16)@openai:bench-model"));
    }
    return quantile(sc, 0.5) / quantile(plain, 0.5);
  } finally {
    await setup.close();
    await slow.close();
  }
}

function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((x, y) => x - y);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 1000) / 1000;
}

function table(r: ProxyBenchResult): string {
  const rows = r.goals.map(
    (g) =>
      `| ${g.name.padEnd(48)} | ${g.value.padEnd(30)} | ${g.goal.padEnd(10)} | ${g.met === undefined ? "" : g.met ? "PASS" : "MISS"} |`,
  );
  return [
    `lmx serve proxy: ${r.iterations} interleaved pairs; direct p50 ${r.direct_ms.p50} ms / p99 ${r.direct_ms.p99} ms, proxied p50 ${r.proxied_ms.p50} ms / p99 ${r.proxied_ms.p99} ms`,
    `| ${"measure".padEnd(48)} | ${"value".padEnd(30)} | ${"goal".padEnd(10)} | ${"    "} |`,
    `|${"-".repeat(50)}|${"-".repeat(32)}|${"-".repeat(12)}|------|`,
    ...rows,
  ].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
