/**
 * Distributed evaluation throughput: `lmx eval --queue` (the library's queue runner, in this process)
 * with 1, 2 and 4 real `lmx worker` processes sharing one SQLite results file, against the OpenAI
 * test server answering each call after 200 ms (a slow model, so the workers' time is waiting, as
 * with a real one). Baseline in the same run: one worker. Reports questions per second for each
 * count and the speed-ups over one worker. Goal: at least 3.5× with 4 workers.
 *
 *   node --import tsx bench/eval-workers.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { startCliProcess, type CliProcess } from "../src/cli/testing/cli-process.ts";
import { openRuntime } from "../src/cli/runtime.ts";
import { evaluate } from "../src/eval/evaluate.ts";
import { queueRunner } from "../src/eval/queue/run-eval-on-queue.ts";
import { redisServerProcess } from "../src/shared-state/testing/redis-server-process.ts";
import { startOpenAITestServer } from "../src/testing/openai-test-server.ts";

export interface EvalWorkersBenchResult {
  name: "eval-workers";
  questions: number;
  latency_ms: number;
  /** Questions in flight per worker. */
  worker_concurrency: number;
  /** Questions per second with this many workers. */
  qps: Record<string, number>;
  /** qps with n workers / qps with one. */
  speedup: Record<string, number>;
  /** The machine's 1-minute load average at the end (the figures are only as good as the CPU was free). */
  load_average: number;
  goal: { min_speedup_4: number };
  met: boolean;
}

const COUNTS = (process.env.BENCH_COUNTS ?? "1,2,4").split(",").map(Number);

function dataFile(work: string, name: string, questions: number, offset: number): string {
  const path = join(work, `${name}.jsonl`);
  const lines = Array.from({ length: questions }, (_, i) =>
    JSON.stringify({ id: `q${i}`, question: `Echo ${i + offset}`, answer: String(i + offset) }),
  );
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

export async function run(
  options: { questions?: number; latencyMs?: number; concurrency?: number; log?: (line: string) => void } = {},
): Promise<EvalWorkersBenchResult> {
  const { questions = 400, latencyMs = 200, concurrency = 4, log = console.log } = options;
  const server = await startOpenAITestServer({
    reply: (body: { messages: { content: string }[] }) =>
      `The answer is ${/(\d+)/.exec(body.messages.at(-1)!.content)?.[1]}`,
    behaviour: { delayMs: latencyMs },
  });
  const redis = await redisServerProcess();
  const work = mkdtempSync(join(tmpdir(), "lmx-bench-workers-"));
  const env = { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: "bench" };
  Object.assign(process.env, env);
  const runtime = openRuntime({ cache: false });
  const qps: Record<string, number> = {};
  try {
    for (const count of COUNTS) {
      // Datasets of their own per count (other hashes), so no run finds another's results.
      const data = dataFile(work, `data-${count}`, questions, count * 1_000_000);
      const warmUp = dataFile(work, `warm-${count}`, 2 * count * concurrency, count * 1_000_000 + 500_000);
      const results = join(work, "results.sqlite");
      const args = ["worker", "--queue", redis.url, "--results", results, "--no-cache"];
      const workers: CliProcess[] = Array.from({ length: count }, () =>
        startCliProcess([...args, "--concurrency", String(concurrency)], { env, cwd: work }),
      );
      const runner = queueRunner({ url: redis.url, pollMs: 100 });
      try {
        await Promise.all(workers.map((w) => w.waitFor(/taking jobs from queue/, 60_000)));
        const options = {
          model: "openai:test-model",
          techniques: ["none"],
          answer: "number",
          results,
          env: runtime.specEnv,
          runner: runner.run,
        };
        // Every worker has built its plan and model client (lazily loaded modules) before the clock starts.
        await evaluate({ ...options, data: warmUp });
        const started = performance.now();
        const evaluation = await evaluate({ ...options, data });
        const seconds = (performance.now() - started) / 1000;
        const correct = evaluation.outcome.runs[0]!.correct;
        if (correct !== questions) throw new Error(`expected ${questions} correct answers, got ${correct}`);
        qps[count] = Math.round((questions / seconds) * 10) / 10;
        log(`${count} worker(s): ${questions} questions in ${seconds.toFixed(2)} s = ${qps[count]} q/s`);
      } finally {
        await runner.close();
        await Promise.all(workers.map((w) => w.stop()));
      }
    }
  } finally {
    await runtime.close();
    await redis.stop();
    await server.close();
    rmSync(work, { recursive: true, force: true });
  }
  const speedup = Object.fromEntries(COUNTS.map((c) => [c, Math.round((qps[c]! / qps[1]!) * 100) / 100]));
  const result: EvalWorkersBenchResult = {
    name: "eval-workers",
    questions,
    latency_ms: latencyMs,
    worker_concurrency: concurrency,
    qps,
    speedup,
    load_average: Math.round(loadavg()[0]! * 10) / 10,
    goal: { min_speedup_4: 3.5 },
    met: speedup[4]! >= 3.5,
  };
  log(
    `speed-up over one worker: ${COUNTS.map((c) => `${c}: ${speedup[c]}×`).join(", ")} (ideal ${COUNTS.join(", ")}; one worker's ceiling ${((concurrency * 1000) / latencyMs).toFixed(0)} q/s; load average ${result.load_average})`,
  );
  log(`goal: 4 workers at least ${result.goal.min_speedup_4}× one — ${result.met ? "PASS" : "MISS"}`);
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
