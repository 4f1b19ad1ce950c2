/**
 * Slow senders (issue 10): time to first byte of a normal chat request through `lmx serve` while 64
 * sockets hold the server (headers sent, then one byte of the body a second), over the same figure
 * with no slow senders, measured in the same run. Loopback only; the dripping lasts at most `dripMs`.
 *
 *   node --import tsx bench/slow-senders.ts
 */
import { Agent, request } from "node:http";
import { connect, type Socket } from "node:net";
import { pathToFileURL } from "node:url";
import { configSchema } from "../src/config/config-schema.ts";
import { createModelResolver } from "../src/providers/resolve-model.ts";
import { startServer } from "../src/server/start-server.ts";
import { startOpenAITestServer } from "../src/testing/openai-test-server.ts";

export interface SlowSendersBenchResult {
  name: "slow-senders";
  senders: number;
  requests: number;
  baseline_ttfb_ms: { p50: number; p99: number };
  dripping_ttfb_ms: { p50: number; p99: number };
  /** Statuses of the normal requests made while the slow senders dripped (all 200 when they cannot lock anyone out). */
  dripping_statuses: Record<string, number>;
  /** p50 TTFB with slow senders / without. */
  ttfb_ratio: number;
  goals: { name: string; value: string; goal: string; met: boolean | undefined }[];
}

const BODY = JSON.stringify({ model: "openai:bench-model", messages: [{ role: "user", content: "What is 6*7?" }] });

export async function run(
  options: { senders?: number; requests?: number; dripMs?: number; log?: (l: string) => void } = {},
): Promise<SlowSendersBenchResult> {
  const { senders = 64, requests = 40, dripMs = 20_000, log = console.log } = options;
  const upstream = await startOpenAITestServer({ reply: () => "The answer is 42." });
  const config = {
    ...configSchema.parse({ providers: { openai: { baseURL: upstream.url, apiKey: "bench", retries: 0 } } }),
    env: {},
  };
  const resolveModel = createModelResolver({ config });
  const proxy = await startServer({ config, resolveModel, defaultModel: "openai:bench-model", port: 0 });
  const url = `${proxy.url}/chat/completions`;
  const { port } = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const sockets: Socket[] = [];
  let drip: NodeJS.Timeout | undefined;
  try {
    for (let i = 0; i < 20; i++) await ttfb(url, agent); // warm-up
    const baseline: number[] = [];
    // Paced like the measurement under dripping, so both see the same machine.
    for (let i = 0; i < requests; i++) {
      baseline.push((await ttfb(url, agent)).ms);
      await pause(100);
    }

    // Each slow sender declares the whole body, sends its start, then one more byte a second.
    const started = performance.now();
    for (let i = 0; i < senders; i++) {
      const socket = connect(Number(port), "127.0.0.1");
      socket.on("error", () => {});
      socket.write(
        `POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n` +
          `content-length: ${BODY.length}\r\n\r\n{"model":"openai:x",`,
      );
      sockets.push(socket);
    }
    let sent = '{"model":"openai:x",'.length;
    drip = setInterval(() => {
      if (sent < BODY.length - 1) for (const s of sockets) s.write(" ");
      sent++;
    }, 1000);
    await new Promise((r) => setTimeout(r, 1000)); // every sender has its headers in
    const dripping: number[] = [];
    const statuses: Record<string, number> = {};
    for (let i = 0; i < requests && performance.now() - started < dripMs; i++) {
      const r = await ttfb(url, agent);
      dripping.push(r.ms);
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      await pause(100);
    }
    const stillOpen = sockets.filter((s) => !s.destroyed && !s.readableEnded).length;
    const result: SlowSendersBenchResult = {
      name: "slow-senders",
      senders,
      requests: dripping.length,
      baseline_ttfb_ms: { p50: quantile(baseline, 0.5), p99: quantile(baseline, 0.99) },
      dripping_ttfb_ms: { p50: quantile(dripping, 0.5), p99: quantile(dripping, 0.99) },
      dripping_statuses: statuses,
      ttfb_ratio: round(quantile(dripping, 0.5) / quantile(baseline, 0.5)),
      goals: [],
    };
    const all200 = Object.keys(statuses).every((s) => s === "200");
    result.goals = [
      {
        name: `TTFB p50 with ${senders} slow senders / without`,
        value: `${result.ttfb_ratio} (${result.dripping_ttfb_ms.p50} vs ${result.baseline_ttfb_ms.p50} ms)`,
        goal: "< 2",
        met: result.ttfb_ratio < 2,
      },
      {
        name: "TTFB p99 with slow senders",
        value: `${result.dripping_ttfb_ms.p99} ms (without ${result.baseline_ttfb_ms.p99} ms)`,
        goal: "(reported)",
        met: undefined,
      },
      {
        name: "statuses while dripping",
        value: `${JSON.stringify(statuses)}; ${stillOpen}/${senders} senders still open`,
        goal: "all 200",
        met: all200,
      },
    ];
    log(
      result.goals
        .map(
          (g) =>
            `| ${g.name.padEnd(44)} | ${g.value.padEnd(40)} | ${g.goal.padEnd(10)} | ${g.met === undefined ? "" : g.met ? "PASS" : "MISS"} |`,
        )
        .join("\n"),
    );
    return result;
  } finally {
    clearInterval(drip);
    for (const s of sockets) s.destroy();
    agent.destroy();
    await proxy.close();
    await resolveModel.close();
    await upstream.close();
  }
}

/** Time from sending a whole request to the first byte of its answer (the status line). */
function ttfb(url: string, agent: Agent): Promise<{ ms: number; status: number }> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = request(url, { method: "POST", agent, headers: { "content-type": "application/json" } }, (res) => {
      const ms = performance.now() - t;
      res.on("data", () => {});
      res.on("end", () => resolve({ ms, status: res.statusCode ?? 0 }));
      res.on("error", reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error("no answer within 30 s")));
    req.on("error", reject);
    req.end(BODY);
  });
}

function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((x, y) => x - y);
  return round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN);
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number) => Math.round(x * 1000) / 1000;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
