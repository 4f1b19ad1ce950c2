import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { configureSandboxPool, sandboxPool } from "../sandbox/sandbox-pool.ts";
import { openRuntime } from "./runtime.ts";

test("the config's sandbox section sets the process-wide sandbox pool's limits", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lmx-runtime-"));
  const before = sandboxPool();
  try {
    const file = join(dir, "lmx.config.json");
    writeFileSync(file, JSON.stringify({ sandbox: { maxConcurrent: 3, maxMemoryMb: 256, maxQueued: 7 } }));
    const runtime = openRuntime({ config: file });
    await runtime.close();
    const pool = sandboxPool();
    assert.notEqual(pool, before);
    assert.deepEqual([pool.maxConcurrent, pool.maxMemoryBytes, pool.maxQueued], [3, 256 * 1024 * 1024, 7]);
    writeFileSync(file, JSON.stringify({ sandbox: { maxConcurrent: 0 } }));
    assert.throws(() => openRuntime({ config: file }), /sandbox\.maxConcurrent/);
  } finally {
    configureSandboxPool({
      maxConcurrent: before.maxConcurrent,
      maxMemoryBytes: before.maxMemoryBytes,
      maxQueued: before.maxQueued,
    });
    rmSync(dir, { recursive: true, force: true });
  }
});
