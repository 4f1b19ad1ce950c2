/**
 * Provider overhead: what lmx's accounting path (budget check, span, retry, limiter, usage, cost)
 * adds to one chat completion, measured against a bare `openai` SDK call to the same local server
 * with the same client. Goal: under 0.3 ms per call.
 *
 *   node --import tsx bench/provider-overhead.ts
 */
import { pathToFileURL } from "node:url";
import OpenAI from "openai";
import { openaiLM } from "../src/providers/openai/openai-lm.ts";
import { startOpenAITestServer } from "../src/testing/openai-test-server.ts";

export interface LatencyFigures {
  mean_ms: number;
  p50_ms: number;
  p90_ms: number;
}

export interface ProviderOverheadResult {
  name: "provider-overhead";
  iterations: number;
  bare: LatencyFigures;
  lmx: LatencyFigures;
  /** Mean per-call latency added by lmx (difference of the means; noisy on a busy machine). */
  overhead_ms: number;
  /** Median of the paired per-iteration differences (b − a): the robust figure the goal is judged on. */
  overhead_p50_ms: number;
  /** lmx mean / bare mean. */
  ratio: number;
  goal_ms: number;
  met: boolean;
}

/** Runs both clients interleaved (alternating which goes first) after a warm-up; bounded by `maxMs`. */
export async function run(
  options: { iterations?: number; warmup?: number; maxMs?: number; log?: (line: string) => void } = {},
): Promise<ProviderOverheadResult> {
  const { iterations = 2000, warmup = 300, maxMs = 60_000, log = console.log } = options;
  const server = await startOpenAITestServer({ reply: () => "The answer is 42." });
  try {
    const client = new OpenAI({ baseURL: server.url, apiKey: "bench", maxRetries: 0 });
    // lmx builds its own client, so the bounded fetch (size cap, idle timeout) and reply validation are measured too.
    const lm = openaiLM({ model: "bench-model", baseURL: server.url, apiKey: "bench" });
    const request = {
      model: "bench-model",
      messages: [{ role: "user" as const, content: "What is six times seven?" }],
    };
    const bare = async () => void (await client.chat.completions.create(request));
    const viaLmx = async () => void (await lm.complete(request));
    const time = async (fn: () => Promise<void>) => {
      const t = performance.now();
      await fn();
      return performance.now() - t;
    };

    for (let i = 0; i < warmup; i++) {
      await bare();
      await viaLmx();
    }
    const a: number[] = [];
    const b: number[] = [];
    const deadline = performance.now() + maxMs;
    for (let i = 0; i < iterations && performance.now() < deadline; i++) {
      if (i % 2 === 0) {
        a.push(await time(bare));
        b.push(await time(viaLmx));
      } else {
        b.push(await time(viaLmx));
        a.push(await time(bare));
      }
    }
    const bareFig = figures(a);
    const lmxFig = figures(b);
    // Pairing each lmx call with the bare call next to it cancels most of the machine's noise.
    const paired = figures(b.map((x, i) => x - a[i]!)).p50_ms;
    const result: ProviderOverheadResult = {
      name: "provider-overhead",
      iterations: a.length,
      bare: bareFig,
      lmx: lmxFig,
      overhead_ms: round(lmxFig.mean_ms - bareFig.mean_ms),
      overhead_p50_ms: paired,
      ratio: round(lmxFig.mean_ms / bareFig.mean_ms),
      goal_ms: 0.3,
      met: paired < 0.3,
    };
    log(table(result));
    return result;
  } finally {
    await server.close();
  }
}

function figures(samples: number[]): LatencyFigures {
  const sorted = [...samples].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return {
    mean_ms: round(samples.reduce((s, x) => s + x, 0) / samples.length),
    p50_ms: round(at(0.5)),
    p90_ms: round(at(0.9)),
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function table(r: ProviderOverheadResult): string {
  const row = (name: string, f: LatencyFigures) =>
    `| ${name.padEnd(28)} | ${f.mean_ms.toFixed(3).padStart(8)} | ${f.p50_ms.toFixed(3).padStart(8)} | ${f.p90_ms.toFixed(3).padStart(8)} |`;
  return [
    `provider overhead: ${r.iterations} calls each, interleaved, local test server, zero latency`,
    `| ${"per call (ms)".padEnd(28)} | ${"mean".padStart(8)} | ${"p50".padStart(8)} | ${"p90".padStart(8)} |`,
    `|${"-".repeat(30)}|${"-".repeat(10)}|${"-".repeat(10)}|${"-".repeat(10)}|`,
    row("(a) openai SDK, bare", r.bare),
    row("(b) openaiLM().complete()", r.lmx),
    `added by lmx: ${r.overhead_p50_ms.toFixed(3)} ms per call (median of paired differences), ${r.overhead_ms.toFixed(3)} ms difference of means; ratio of means (b)/(a) ${r.ratio.toFixed(3)}`,
    `goal: overhead < ${r.goal_ms} ms per call (judged on the paired median) — ${r.met ? "met" : "NOT met"}`,
  ].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
