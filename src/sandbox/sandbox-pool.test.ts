import assert from "node:assert/strict";
import { test } from "node:test";
import { SandboxPool } from "./sandbox-pool.ts";

const MB = 1024 * 1024;

test("runs beyond the memory cap wait for memory to be released, in arrival order", async () => {
  const pool = new SandboxPool({ maxConcurrent: 10, maxMemoryBytes: 1000 * MB });
  const first = (await pool.acquire({ bytes: 600 * MB }))!;
  const order: string[] = [];
  const big = pool.acquire({ bytes: 600 * MB }).then((release) => (order.push("big"), release!));
  const small = pool.acquire({ bytes: 100 * MB }).then((release) => (order.push("small"), release!));
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(
    pool.stats(),
    { running: 1, queued: 2, reservedBytes: 600 * MB },
    "the small run does not overtake the big one at the head",
  );
  first();
  const [releaseBig, releaseSmall] = await Promise.all([big, small]);
  assert.deepEqual(order, ["big", "small"]);
  assert.deepEqual(pool.stats(), { running: 2, queued: 0, reservedBytes: 700 * MB });
  releaseBig();
  releaseSmall();
  releaseSmall();
  assert.deepEqual(pool.stats(), { running: 0, queued: 0, reservedBytes: 0 }, "releasing twice frees once");
});

test("the concurrency cap, the queue cap, a deadline and an abort each bound a waiting run", async () => {
  const pool = new SandboxPool({ maxConcurrent: 1, maxQueued: 1, maxMemoryBytes: 100 * MB });
  const held = (await pool.acquire({ bytes: 10 * MB }))!;
  const started = Date.now();
  assert.equal(
    await pool.acquire({ bytes: 10 * MB, deadline: Date.now() + 50 }),
    undefined,
    "no slot before the deadline",
  );
  assert.ok(Date.now() - started < 1000);
  const controller = new AbortController();
  const waiting = pool.acquire({ bytes: 10 * MB, signal: controller.signal });
  await assert.rejects(pool.acquire({ bytes: 10 * MB }), /too many sandbox runs are waiting \(1\)/);
  controller.abort();
  await assert.rejects(waiting, { name: "AbortedError" });
  await assert.rejects(pool.acquire({ bytes: 200 * MB }), /needs 200 MB, more than the 100 MB/);
  assert.throws(() => new SandboxPool({ maxConcurrent: 0 }), /maxConcurrent must be a positive integer/);
  held();
  assert.deepEqual(pool.stats(), { running: 0, queued: 0, reservedBytes: 0 });
});
