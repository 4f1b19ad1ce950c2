/**
 * Memory under distinct models (issue 10): `lmx serve` in front of a zero-latency local upstream gets
 * 50,000 chat requests, each naming its own model `openai:m-<i>`, 16 at a time. Process RSS and heap
 * are sampled every 5,000 requests (after a forced GC when run with --expose-gc); the figure is RSS at
 * the end over RSS after warm-up (the first sample), which should stay near 1.
 *
 *   node --expose-gc --import tsx bench/soak.ts            (LMX_SOAK_REQUESTS=5000 for a quick run)
 */
import { pathToFileURL } from "node:url";
import { Agent, request } from "node:http";
import { configSchema } from "../src/config/config-schema.ts";
import { createModelResolver } from "../src/providers/resolve-model.ts";
import { startServer } from "../src/server/start-server.ts";
import { startOpenAITestServer } from "../src/testing/openai-test-server.ts";

export interface SoakSample {
  requests: number;
  rss_mb: number;
  heap_mb: number;
}

export interface SoakBenchResult {
  name: "soak";
  requests: number;
  failed: number;
  gc: boolean;
  rss_start_mb: number;
  samples: SoakSample[];
  /** RSS at the end / RSS after warm-up (the first sample). */
  rss_ratio: number;
  heap_ratio: number;
  goals: { name: string; value: string; goal: string; met: boolean | undefined }[];
}

const MB = 1024 * 1024;

/** Sends the requests and samples memory; bounded by `requests` and by `maxMs`. */
export async function run(
  options: { requests?: number; every?: number; concurrency?: number; maxMs?: number; log?: (l: string) => void } = {},
): Promise<SoakBenchResult> {
  const {
    requests = Number(process.env.LMX_SOAK_REQUESTS ?? 50_000),
    every = Number(process.env.LMX_SOAK_EVERY ?? 5_000),
    concurrency = 16,
    maxMs = 600_000,
    log = console.log,
  } = options;
  const gc = (globalThis as { gc?: () => void }).gc;
  const upstream = await startOpenAITestServer({ reply: () => "The answer is 42." });
  const config = {
    ...configSchema.parse({ providers: { openai: { baseURL: upstream.url, apiKey: "bench", retries: 0 } } }),
    env: {},
  };
  const resolveModel = createModelResolver({ config });
  const proxy = await startServer({ config, resolveModel, defaultModel: "openai:m-0", port: 0 });
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  // The upstream keeps every request and usage it saw; the soak is about the proxy, so it forgets them.
  const forget = () => void (upstream.requests.length = upstream.reported.length = 0);
  const sample = (done: number): SoakSample => {
    gc?.();
    const m = process.memoryUsage();
    return { requests: done, rss_mb: round(m.rss / MB), heap_mb: round(m.heapUsed / MB) };
  };
  const rssStart = sample(0).rss_mb;
  const samples: SoakSample[] = [];
  let next = 0;
  let done = 0;
  let failed = 0;
  const deadline = performance.now() + maxMs;
  try {
    const send = async (i: number) => {
      const body = JSON.stringify({ model: `openai:m-${i}`, messages: [{ role: "user", content: "What is 6*7?" }] });
      if ((await post(`${proxy.url}/chat/completions`, body, agent)) !== 200) failed++;
    };
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < requests && performance.now() < deadline) {
          await send(next++).catch(() => failed++);
          if (++done % every === 0) {
            forget();
            const s = sample(done);
            samples.push(s);
            log(`  ${String(done).padStart(6)} requests: rss ${s.rss_mb} MB, heap ${s.heap_mb} MB`);
          }
        }
      }),
    );
  } finally {
    agent.destroy();
    await proxy.close();
    await resolveModel.close();
    await upstream.close();
  }
  const first = samples[0] ?? sample(done);
  const last = samples.at(-1) ?? first;
  const result: SoakBenchResult = {
    name: "soak",
    requests: done,
    failed,
    gc: gc !== undefined,
    rss_start_mb: rssStart,
    samples,
    rss_ratio: round(last.rss_mb / first.rss_mb),
    heap_ratio: round(last.heap_mb / first.heap_mb),
    goals: [],
  };
  result.goals = [
    {
      name: `RSS end / after warm-up (${first.requests} → ${last.requests} requests)`,
      value: `${result.rss_ratio} (${first.rss_mb} → ${last.rss_mb} MB; start ${rssStart} MB)`,
      goal: "< 1.25",
      met: result.rss_ratio < 1.25,
    },
    {
      name: `heap end / after warm-up${result.gc ? " (after gc)" : " (no --expose-gc)"}`,
      value: `${result.heap_ratio} (${first.heap_mb} → ${last.heap_mb} MB)`,
      goal: "< 1.25",
      met: result.heap_ratio < 1.25,
    },
    { name: "failed requests", value: String(failed), goal: "0", met: failed === 0 },
  ];
  log(
    result.goals
      .map((g) => `| ${g.name.padEnd(48)} | ${g.value.padEnd(40)} | ${g.goal.padEnd(6)} | ${g.met ? "PASS" : "MISS"} |`)
      .join("\n"),
  );
  return result;
}

/** POSTs JSON and resolves with the status once the whole answer has arrived. */
function post(url: string, body: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent, headers: { "content-type": "application/json" } }, (res) => {
      res.on("data", () => {});
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

const round = (x: number) => Math.round(x * 100) / 100;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
