import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { SqliteCache } from "../cache/sqlite-cache.ts";
import { createRunContext } from "../core/context.ts";
import { scriptedLM } from "../providers/scripted/scripted-lm.ts";
import { questionMetrics } from "./question-metrics.ts";

test("a question's cost is the same whether its samples were paid now or replayed from the cache", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lmx-metrics-"));
  const cache = SqliteCache.open({ path: join(dir, "c.sqlite") });
  try {
    const lm = scriptedLM((_r, { sampleIndex }) => `answer ${sampleIndex}`, {
      cache,
      prices: { "scripted:*": { input: 1, output: 3 } },
    });
    const ask = { messages: [{ role: "user" as const, content: "Name a prime." }], n: 3 };
    const cold = createRunContext();
    await lm.complete(ask, cold);
    const warm = createRunContext();
    const replay = await lm.complete(ask, warm);
    assert.equal(replay.usage.cost_usd, 0, "nothing was paid for the replay");
    const a = questionMetrics(cold.span.toJSON());
    const b = questionMetrics(warm.span.toJSON());
    assert.ok(a.cost_usd > 0);
    assert.deepEqual(
      { ...b, cost_usd: Math.round(b.cost_usd * 1e12) },
      { ...a, cost_usd: Math.round(a.cost_usd * 1e12) },
    );
  } finally {
    cache.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
