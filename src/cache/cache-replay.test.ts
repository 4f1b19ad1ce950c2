// The SQLite cache under defineProvider: hits, misses, exact replays, and sample indices that never collapse.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createRunContext } from "../core/context.ts";
import type { ChatRequest, ChatResult, StreamEvent, Usage } from "../core/types.ts";
import { defineProvider } from "../providers/define-provider.ts";
import type { ProviderDriver } from "../providers/provider-driver.ts";
import { scriptedLM, type ScriptInfo } from "../providers/scripted/scripted-lm.ts";
import { SqliteCache } from "./sqlite-cache.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-cache-replay-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const ask: ChatRequest = { messages: [{ role: "user", content: "Name a prime number." }], temperature: 0.8 };
// A non-zero price so that replayed costs are checked too.
const prices = { "scripted:*": { input: 1, output: 3 } };

/** A scripted model whose every answer is new: it names the sample index and how many samples it has made. */
function countingLM(cache: SqliteCache, options: { nativeN?: boolean; tag?: string } = {}) {
  const seen: number[] = [];
  const lm = scriptedLM(
    (_r, info: ScriptInfo) => {
      seen.push(info.sampleIndex);
      return `${options.tag ?? "answer"} for sample ${info.sampleIndex} (made ${seen.length})`;
    },
    { cache, prices, capabilities: { nativeN: options.nativeN ?? true } },
  );
  return Object.assign(lm, { seen });
}

const texts = (r: ChatResult) => r.choices.map((c) => c.message.content);
/** A paid run's usage in the shape of a replay's `replayed` part. */
const paidPart = (u: Usage) => ({
  prompt_tokens: u.prompt_tokens,
  completion_tokens: u.completion_tokens,
  cached_tokens: u.cached_tokens,
  calls: u.calls,
  cost_usd: Math.round(u.cost_usd * 1e12),
});

test("a miss calls the upstream and stores; the same request again is a hit with no upstream call", async () => {
  const cache = SqliteCache.open({ path: join(dir, "hit.sqlite") });
  const lm = countingLM(cache);
  const first = await lm.complete(ask);
  assert.equal(first.usage.cache_hits, 0);
  assert.equal(lm.calls.length, 1);

  const second = await lm.complete(ask);
  assert.equal(lm.calls.length, 1, "the hit made no upstream call");
  assert.deepEqual(texts(second), texts(first));
  assert.equal(second.usage.cache_hits, 1);

  // A different request (another temperature) is a different key.
  const other = await lm.complete({ ...ask, temperature: 0 });
  assert.equal(other.usage.cache_hits, 0);
  assert.equal(lm.calls.length, 2);
  assert.notDeepEqual(texts(other), texts(first));
  cache.close();
});

test("a fresh LM over the reopened cache file replays the same choices and usage without calling upstream", async () => {
  const path = join(dir, "replay.sqlite");
  const cache = SqliteCache.open({ path });
  const original = await countingLM(cache).complete({ ...ask, n: 3 });
  cache.close();

  const reopened = SqliteCache.open({ path });
  assert.equal(reopened.stats().entries, 3);
  const fresh = countingLM(reopened, { tag: "different" });
  const ctx = createRunContext();
  const replay = await fresh.complete({ ...ask, n: 3 }, ctx);
  assert.equal(fresh.calls.length, 0, "no upstream call was made");
  assert.deepEqual(replay.choices, original.choices);
  assert.equal(replay.usage.cache_hits, 3);
  // Nothing is paid now; the original usage is kept apart, under `replayed`.
  assert.equal(replay.usage.calls, 0);
  assert.equal(replay.usage.cost_usd, 0);
  assert.equal(replay.usage.total_tokens, 0);
  const replayed = replay.usage.replayed!;
  assert.deepEqual({ ...replayed, cost_usd: Math.round(replayed.cost_usd * 1e12) }, paidPart(original.usage));
  assert.ok(replayed.cost_usd > 0);
  // The trace shows the hits; the budget is charged the original usage, so a cached run decides as the original did.
  assert.equal(ctx.span.total.cache_hits, 3);
  assert.equal(ctx.span.total.replayed?.calls, original.usage.calls);
  assert.equal(ctx.budget.used.tokens, original.usage.total_tokens);
  reopened.close();
});

test("n=5 stores five distinct samples, not five copies of one", async () => {
  const cache = SqliteCache.open({ path: join(dir, "five.sqlite") });
  const lm = countingLM(cache);
  const result = await lm.complete({ ...ask, n: 5 });
  assert.equal(lm.calls.length, 1, "native n: one upstream call");
  assert.equal(new Set(texts(result)).size, 5);
  assert.equal(cache.stats().entries, 5);

  const again = await countingLM(cache, { tag: "other" }).complete({ ...ask, n: 5 });
  assert.deepEqual(texts(again), texts(result), "replayed in the same order");

  // The next batch (samples 5..9) is new, not a replay of 0..4.
  const next = await lm.complete({ ...ask, n: 5 }, { ...createRunContext(), sampleOffset: 5 });
  assert.deepEqual(lm.seen.slice(5), [5, 6, 7, 8, 9]);
  assert.equal(new Set([...texts(result), ...texts(next)]).size, 10);
  assert.equal(cache.stats().entries, 10);
  cache.close();
});

for (const nativeN of [true, false]) {
  test(`a partial hit (3 cached, 5 asked) fetches only samples 3 and 4 (nativeN=${nativeN})`, async () => {
    const cache = SqliteCache.open({ path: join(dir, `partial-${nativeN}.sqlite`) });
    const first = await countingLM(cache, { nativeN }).complete({ ...ask, n: 3 });

    const lm = countingLM(cache, { nativeN, tag: "late" });
    const result = await lm.complete({ ...ask, n: 5 });
    assert.deepEqual(lm.seen.sort(), [3, 4]);
    assert.deepEqual(
      lm.calls.map((c) => c.n),
      nativeN ? [2] : [1, 1],
    );
    assert.deepEqual(texts(result).slice(0, 3), texts(first));
    assert.match(String(texts(result)[3]), /^late for sample 3 /);
    assert.match(String(texts(result)[4]), /^late for sample 4 /);
    assert.deepEqual(
      result.choices.map((c) => c.index),
      [0, 1, 2, 3, 4],
    );
    assert.equal(result.usage.cache_hits, 3);
    assert.equal(cache.stats().entries, 5);
    cache.close();
  });
}

test("a streamed request is cached and a cached request streams without an upstream call", async () => {
  const cache = SqliteCache.open({ path: join(dir, "stream.sqlite") });
  const lm = countingLM(cache);
  const streamed = await collect(lm.stream(ask));
  assert.equal(lm.calls.length, 1);
  const replayed = await collect(countingLM(cache, { tag: "other" }).stream(ask));
  assert.equal(replayed.text, streamed.text);
  assert.equal(replayed.result?.usage.cache_hits, 1);
  cache.close();
});

test("runs with different seeds get their own samples; the same seed replays", async () => {
  const cache = SqliteCache.open({ path: join(dir, "seeds.sqlite") });
  const lm = countingLM(cache);
  const one = await lm.complete(ask, createRunContext({ seed: 1 }));
  const two = await lm.complete(ask, createRunContext({ seed: 2 }));
  assert.equal(lm.calls.length, 2, "seed 2 is another upstream request, not a replay of seed 1");
  assert.notDeepEqual(texts(two), texts(one));
  const again = await lm.complete(ask, createRunContext({ seed: 2 }));
  assert.equal(again.usage.cache_hits, 1);
  assert.deepEqual(texts(again), texts(two));
  cache.close();
});

test("an answer cut short by the budget's max_tokens is never replayed to a request without that budget", async () => {
  const cache = SqliteCache.open({ path: join(dir, "cut.sqlite") });
  // A model that stops at max_tokens, as real ones do.
  const lm = scriptedLM(
    (r) => {
      const words = Math.min(40, r.max_tokens ?? 40);
      return {
        content: Array.from({ length: words }, (_, i) => `w${i}`).join(" "),
        finish_reason: words < 40 ? "length" : "stop",
      };
    },
    { cache },
  );
  const cut = await lm.complete(ask, createRunContext({ budget: { tokens: 30 } }));
  assert.equal(cut.choices[0]!.finish_reason, "length");
  const full = await lm.complete(ask);
  assert.equal(full.usage.cache_hits, 0);
  assert.equal(full.choices[0]!.finish_reason, "stop");
  assert.equal(String(full.choices[0]!.message.content).split(" ").length, 40);
  cache.close();
});

test("a warm cache keeps to the budget as a cold one does", async () => {
  const cache = SqliteCache.open({ path: join(dir, "warm-budget.sqlite") });
  const cold = await countingLM(cache, { nativeN: false }).complete(
    { ...ask, n: 5 },
    createRunContext({ budget: { calls: 2 } }),
  );
  await countingLM(cache, { nativeN: false }).complete({ ...ask, n: 5 });
  const lm = countingLM(cache, { nativeN: false, tag: "late" });
  const ctx = createRunContext({ budget: { calls: 2 } });
  const warm = await lm.complete({ ...ask, n: 5 }, ctx);
  assert.equal(lm.calls.length, 0);
  assert.equal(warm.choices.length, cold.choices.length);
  assert.equal(warm.usage.calls, 0);
  assert.equal(warm.usage.replayed?.calls, 2);
  assert.equal(ctx.budget.used.calls, 2);
  cache.close();
});

test("a replay reports the model that answered and leaves no span open", async () => {
  const cache = SqliteCache.open({ path: join(dir, "model.sqlite") });
  // Upstreams answer with a dated snapshot of the model asked for.
  const driver: ProviderDriver = {
    provider: "dated",
    model: "m",
    capabilities: { nativeN: false, logprobs: false, tools: false, streaming: false, constrainedOutput: false },
    complete: async () => ({
      choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 2, completion_tokens: 1 },
      model: "m-2024-07-18",
    }),
  };
  const original = await defineProvider(driver, { cache }).complete(ask);
  const ctx = createRunContext();
  const replay = await defineProvider(driver, { cache }).complete(ask, ctx);
  assert.equal(replay.usage.cache_hits, 1);
  assert.equal(original.model, "m-2024-07-18");
  assert.equal(replay.model, original.model);
  assert.ok(ctx.span.children.every((s) => s.end !== undefined));
  cache.close();
});

async function collect(events: AsyncIterable<StreamEvent>) {
  let text = "";
  let result: ChatResult | undefined;
  for await (const e of events) {
    if (e.type === "delta") text += e.content ?? "";
    if (e.type === "result") result = e.result;
  }
  return { text, result };
}
