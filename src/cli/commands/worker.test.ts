import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Queue } from "bullmq";
import { queueConnection } from "../../eval/queue/queue-connection.ts";
import { redisAnswers, redisServerProcess, TEST_REDIS_URL } from "../../shared-state/testing/redis-server-process.ts";
import { evalJobId } from "../../eval/queue/eval-job.ts";
import { createTestDatabase } from "../../store/postgres/testing/test-database.ts";
import { startOpenAITestServer, type OpenAITestServer } from "../../testing/openai-test-server.ts";
import { startCliProcess, type CliProcess } from "../testing/cli-process.ts";
import { cleanEnv, runCli } from "../testing/run-cli.ts";

const skip = !(await redisAnswers()) && "no Redis at 127.0.0.1:6379";
const database = skip ? undefined : await createTestDatabase();
const dir = mkdtempSync(join(tmpdir(), "lmx-worker-"));
const queues: string[] = [];
after(async () => {
  for (const name of queues) {
    const q = new Queue(name, { connection: queueConnection(TEST_REDIS_URL) });
    await q.obliterate({ force: true }).catch(() => {});
    await q.close();
  }
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const QUESTIONS = 16;
const techniques = ["--technique", "none", "--technique", "self-consistency(n=2)"];

/** Right on questions not divisible by 3; each answer takes `delayMs`. */
async function slowServer(delayMs: number): Promise<OpenAITestServer> {
  return startOpenAITestServer({
    reply: (body: { messages: { content: string }[] }) => {
      const n = Number(/What is (\d+) \+ 1/.exec(body.messages.at(-1)!.content)?.[1]);
      return `The answer is ${n % 3 === 0 ? n : n + 1}`;
    },
    behaviour: { delayMs },
  });
}

function dataFile(work: string): string {
  const path = join(work, "data.jsonl");
  const lines = Array.from({ length: QUESTIONS }, (_, i) =>
    JSON.stringify({ id: `q${String(i).padStart(2, "0")}`, question: `What is ${i} + 1?`, answer: String(i + 1) }),
  );
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

const evalArgs = (data: string, results: string) => [
  "eval",
  "--data",
  data,
  "--model",
  "openai:test-model",
  ...techniques,
  "--answer",
  "number",
  "--results",
  results,
  "--json",
];

function worker(url: string, name: string, results: string, env: NodeJS.ProcessEnv, work: string): CliProcess {
  const args = ["worker", "--queue", url, "--queue-name", name, "--results", results];
  // 3 s: short, so a killed worker's jobs come back soon, yet long enough that a loaded machine's
  // stalls never let a live job's lock lapse (another worker would evaluate it a second time).
  return startCliProcess([...args, "--concurrency", "2", "--lock-ms", "3000"], { env, cwd: work });
}

/** The figures of a run without its timing (which differs between any two runs). */
const figures = (stdout: string) =>
  (JSON.parse(stdout) as { runs: { mean_latency_ms: number }[] }).runs.map((r) => ({ ...r, mean_latency_ms: 0 }));

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600 && !condition(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(condition(), `timed out waiting for ${what}`);
}

test(
  "workers killed with SIGKILL mid-job lose nothing and count nothing twice: the figures are a local run's",
  { skip, timeout: 120_000 },
  async () => {
    const work = mkdtempSync(join(dir, "kill-"));
    const data = dataFile(work);
    const server = await slowServer(150);
    const env = { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: "test" };
    const name = `lmx-t-${randomUUID()}`;
    queues.push(name);
    const results = join(work, "shared.sqlite");
    const workers = [1, 2].map(() => worker(TEST_REDIS_URL, name, results, env, work));
    try {
      await Promise.all(workers.map((w) => w.waitFor(/taking jobs from queue/)));
      const submitting = runCli([...evalArgs(data, results), "--queue", TEST_REDIS_URL, "--queue-name", name], {
        env: cleanEnv(env),
        cwd: work,
        timeoutMs: 100_000,
      });
      await until(() => server.requests.length >= 6, "the workers to start on questions");
      await workers[0]!.kill();
      const queued = await submitting;
      const asked = server.requests.length;
      assert.equal(queued.code, 0, queued.stderr);
      assert.match(queued.stderr, /\[2\/2\] self-consistency\(n=2\)/, "the same progress lines as a local run");

      const local = await runCli(evalArgs(data, join(work, "local.sqlite")), { env: cleanEnv(env), cwd: work });
      assert.equal(local.code, 0, local.stderr);
      const minimum = server.requests.length - asked;
      assert.ok(asked > minimum, `the killed worker's questions were asked again (${asked} calls, ${minimum} needed)`);
      assert.deepEqual(figures(queued.stdout), figures(local.stdout));
      const runs = JSON.parse(queued.stdout).runs as { total: number }[];
      assert.deepEqual(
        runs.map((r) => r.total),
        [QUESTIONS, QUESTIONS],
      );
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await server.close();
    }
  },
);

test(
  "Redis restarted mid-run: submitter and worker say so, carry on when it is back, and nothing is lost",
  { skip, timeout: 120_000 },
  async () => {
    const work = mkdtempSync(join(dir, "restart-"));
    const data = dataFile(work);
    const server = await slowServer(100);
    const env = { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: "test" };
    const redis = await redisServerProcess();
    const results = join(work, "shared.sqlite");
    const w = worker(redis.url, "lmx-eval", results, env, work);
    try {
      await w.waitFor(/taking jobs from queue/);
      const submitter = startCliProcess([...evalArgs(data, results), "--queue", redis.url], { env, cwd: work });
      await until(() => server.requests.length >= 4, "the worker to start on questions");
      await redis.stop();
      await w.waitFor(/Redis at redis:\/\/127\.0\.0\.1:\d+\/? is unavailable/);
      await submitter.waitFor(/Redis at redis:\/\/127\.0\.0\.1:\d+\/? is unavailable/);
      await new Promise((r) => setTimeout(r, 1_000));
      assert.equal(submitter.child.exitCode, null, "the submitter waits for Redis");
      assert.equal(w.child.exitCode, null, "the worker waits for Redis");
      await redis.start();
      await w.waitFor(/is back/);
      assert.equal(await submitter.exited, 0, submitter.stderr());
      assert.match(submitter.stderr(), /is back/);

      const local = await runCli(evalArgs(data, join(work, "local.sqlite")), { env: cleanEnv(env), cwd: work });
      assert.deepEqual(figures(submitter.stdout()), figures(local.stdout));
    } finally {
      await w.stop();
      await redis.stop();
      await server.close();
    }
  },
);

test(
  "workers on other machines share results through PostgreSQL: the submitter's figures are a local run's",
  { skip: skip || (!database && "no PostgreSQL"), timeout: 120_000 },
  async () => {
    const work = mkdtempSync(join(dir, "pg-"));
    const data = dataFile(work);
    const server = await slowServer(50);
    const env = { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: "test", LMX_STORE: database!.url };
    const name = `lmx-t-${randomUUID()}`;
    queues.push(name);
    // No --results: workers and submitter all use the database LMX_STORE names, each from its own folder.
    const args = ["worker", "--queue", TEST_REDIS_URL, "--queue-name", name];
    const workers = [1, 2].map(() => startCliProcess(args, { env, cwd: mkdtempSync(join(work, "machine-")) }));
    try {
      await Promise.all(workers.map((w) => w.waitFor(/results in postgres:\/\//)));
      const submitArgs = evalArgs(data, "").filter((a) => a !== "--results" && a !== "");
      const queued = await runCli([...submitArgs, "--queue", TEST_REDIS_URL, "--queue-name", name], {
        env: cleanEnv(env),
        cwd: work,
        timeoutMs: 100_000,
      });
      assert.equal(queued.code, 0, queued.stderr);
      assert.match(queued.stderr, /results in postgres:\/\//);
      const local = await runCli(evalArgs(data, join(work, "local.sqlite")), {
        env: cleanEnv({ OPENAI_BASE_URL: server.url, OPENAI_API_KEY: "test" }),
        cwd: work,
      });
      assert.deepEqual(figures(queued.stdout), figures(local.stdout));
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await server.close();
    }
  },
);

test(
  "a worker exports each question's trace over OTLP, as a local lmx eval does",
  { skip, timeout: 60_000 },
  async () => {
    const work = mkdtempSync(join(dir, "otlp-"));
    const data = dataFile(work);
    const server = await slowServer(0);
    const posts: string[] = [];
    const collector = createServer((req, res) => {
      let text = "";
      req.on("data", (d) => (text += d));
      req.on("end", () => (posts.push(text), res.writeHead(200, { "content-type": "application/json" }).end("{}")));
    });
    await new Promise<void>((r) => collector.listen(0, "127.0.0.1", r));
    const otlp = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    const env = { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: "test" };
    const name = `lmx-t-${randomUUID()}`;
    queues.push(name);
    const results = join(work, "shared.sqlite");
    const w = worker(TEST_REDIS_URL, name, results, { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: otlp }, work);
    try {
      await w.waitFor(/taking jobs from queue/);
      const args = evalArgs(data, results).filter((a, i, all) => a !== "--technique" && all[i - 1] !== "--technique");
      const run = await runCli([...args, "--technique", "none", "--queue", TEST_REDIS_URL, "--queue-name", name], {
        env: cleanEnv(env),
        cwd: work,
        timeoutMs: 50_000,
      });
      assert.equal(run.code, 0, run.stderr);
      await w.stop();
      // Every question's root span, with its id, reached the collector.
      const exported = new Set(
        posts.flatMap((body) => [...body.matchAll(/"stringValue":"(q\d\d)"/g)].map((m) => m[1])),
      );
      assert.equal(exported.size, QUESTIONS, `question ids exported: ${[...exported].join(", ")}`);
    } finally {
      await w.stop();
      await server.close();
      await new Promise<void>((r) => (collector.closeAllConnections(), collector.close(() => r())));
    }
  },
);

test(
  "a job naming a host file or a provider the worker's config does not allow is refused, not run",
  { skip, timeout: 60_000 },
  async () => {
    const work = mkdtempSync(join(dir, "hostile-"));
    const server = await slowServer(0);
    const env = { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: "test" };
    const name = `lmx-t-${randomUUID()}`;
    queues.push(name);
    const w = worker(TEST_REDIS_URL, name, join(work, "results.sqlite"), env, work);
    const queue = new Queue(name, { connection: queueConnection(TEST_REDIS_URL) });
    try {
      await w.waitFor(/taking jobs from queue/);
      const record = { id: "q1", question: "What is 1 + 1?", answer: "2", line: 1 };
      const job = (technique: string, model: string) => ({
        v: 1,
        dataset: "hostile",
        technique,
        model,
        canonical: technique,
        record,
      });
      const key = { dataset: "hostile", model: "x", technique: "x" };
      await queue.add("eval", job("few-shot(demos=/etc/passwd)", "openai:test-model"), {
        jobId: evalJobId(key, "host-file"),
      });
      await queue.add("eval", job("none", "llama:/models/secret.gguf"), { jobId: evalJobId(key, "provider") });
      await queue.add("eval", { v: 1, dataset: "hostile", record: { id: "x" } }, { jobId: evalJobId(key, "junk") });
      await queue.add(
        "eval",
        {
          ...job("none", "openai:test-model"),
          answer: "regex:^(a+)+$",
          record: { ...record, answer: "a".repeat(28) + "!" },
        },
        { jobId: evalJobId(key, "regex") },
      );
      await w.waitFor(/few-shot\(demos=\/etc\/passwd\) on question q1 failed: this worker cannot build .*demos/);
      await w.waitFor(/none on question q1 failed: .*does not take llama: models/);
      await w.waitFor(/failed: malformed eval job/);
      await w.waitFor(/failed: this worker does not take regex: answer kinds/);
      assert.equal(server.requests.length, 0, "no model was called");
      assert.equal(w.child.exitCode, null, "the worker carries on");
    } finally {
      await queue.close();
      await w.stop();
      await server.close();
    }
  },
);

test(
  "a worker saving to its default file while the submitter reads PostgreSQL: the submitter stops in seconds, naming both, no password, no model call",
  { skip: skip || (!database && "no PostgreSQL"), timeout: 90_000 },
  async () => {
    const work = mkdtempSync(join(dir, "elsewhere-"));
    const data = dataFile(work);
    const server = await slowServer(0);
    const env = { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: "test" };
    const name = `lmx-t-${randomUUID()}`;
    queues.push(name);
    // A database of its own: the test above finished these questions in the shared one.
    const own = (await createTestDatabase())!;
    // The test server trusts local connections, so the password is ignored, yet must never be shown.
    const store = new URL(own.url);
    store.password = "hunter2";
    // The worker forgot LMX_STORE: it saves to <state>/lmx/eval.sqlite on its machine.
    const w = startCliProcess(["worker", "--queue", TEST_REDIS_URL, "--queue-name", name], { env, cwd: work });
    try {
      await w.waitFor(/results in \/.*eval\.sqlite/);
      const submitArgs = evalArgs(data, "").filter((a) => a !== "--results" && a !== "");
      const started = Date.now();
      const run = await runCli([...submitArgs, "--queue", TEST_REDIS_URL, "--queue-name", name], {
        env: cleanEnv({ ...env, LMX_STORE: store.href }),
        cwd: work,
        timeoutMs: 60_000,
      });
      const took = Date.now() - started;
      assert.equal(run.code, 1, run.stderr);
      assert.ok(took < 15_000, `the submitter stopped after ${took} ms`);
      const id = "[0-9a-f-]{36}";
      const mismatch = new RegExp(
        `a worker gave up on it: this worker saves results to /\\S+/lmx/eval\\.sqlite \\(store ${id}\\), but the submitter reads postgres://postgres:\\*\\*\\*@127\\.0\\.0\\.1:5432/${own.name} \\(store ${id}\\)`,
      );
      assert.match(run.stderr, mismatch);
      // The worker logs the store the job names: what went through Redis has no password either.
      await w.waitFor(/failed: this worker saves results to .* but the submitter reads postgres:\/\/postgres:\*\*\*@/);
      assert.equal(server.requests.length, 0, "no question was evaluated");
      for (const text of [run.stdout, run.stderr, w.stderr()])
        assert.ok(!text.includes("hunter2"), `the password appears nowhere: ${text}`);
    } finally {
      await w.stop();
      await server.close();
      await own.drop();
    }
  },
);

test(
  "a worker and a submitter naming two --results files: the submitter stops in seconds and says so",
  { skip, timeout: 90_000 },
  async () => {
    const work = mkdtempSync(join(dir, "two-files-"));
    const data = dataFile(work);
    const server = await slowServer(0);
    const env = { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: "test" };
    const name = `lmx-t-${randomUUID()}`;
    queues.push(name);
    const w = worker(TEST_REDIS_URL, name, join(work, "a.sqlite"), env, work);
    try {
      await w.waitFor(/taking jobs from queue/);
      const started = Date.now();
      const run = await runCli(
        [...evalArgs(data, join(work, "b.sqlite")), "--queue", TEST_REDIS_URL, "--queue-name", name],
        {
          env: cleanEnv(env),
          cwd: work,
          timeoutMs: 60_000,
        },
      );
      const took = Date.now() - started;
      assert.equal(run.code, 1, run.stderr);
      assert.ok(took < 15_000, `the submitter stopped after ${took} ms`);
      assert.ok(
        run.stderr.includes(`this worker saves results to ${join(work, "a.sqlite")} (store `) &&
          run.stderr.includes(`but the submitter reads ${join(work, "b.sqlite")} (store `),
        run.stderr,
      );
      assert.equal(server.requests.length, 0, "no question was evaluated");
    } finally {
      await w.stop();
      await server.close();
    }
  },
);

test(
  "a worker started while Redis is away says so, waits, and still stops on Ctrl-C",
  { timeout: 60_000 },
  async () => {
    const work = mkdtempSync(join(dir, "away-"));
    const w = startCliProcess(["worker", "--queue", "redis://127.0.0.1:1", "--results", join(work, "r.sqlite")], {
      cwd: work,
    });
    try {
      await w.waitFor(/Redis at redis:\/\/127\.0\.0\.1:1\/? is unavailable \(.*\); retrying/);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(w.child.exitCode, null, "it waits for Redis rather than failing");
      w.child.kill("SIGINT");
      const code = await Promise.race([w.exited, new Promise((r) => setTimeout(() => r("still running"), 20_000))]);
      assert.equal(code, 0);
    } finally {
      await w.kill();
    }
  },
);
