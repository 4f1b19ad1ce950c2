import assert from "node:assert/strict";
import { test } from "node:test";
import { setImmediate as tick } from "node:timers/promises";
import { createRunContext } from "../../core/context.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import { memoryTraceStore } from "../../server/trace-store.ts";
import { selfConsistency } from "../../techniques/sample-many/self-consistency.ts";
import type { PersistentTraceStore } from "./persistent-trace-store.ts";
import type { TraceStoreLimits } from "./trace-store-limits.ts";

/** Opens an empty store of one backend with these limits; each test closes what it opened. */
export type OpenTraceStore = (options: TraceStoreLimits & { now?: () => number }) => Promise<PersistentTraceStore>;

const KiB = 1024;

async function tracedRun(question: string) {
  const lm = selfConsistency(
    scriptedLM((_r, { sampleIndex }) => `The answer is ${sampleIndex % 2 ? 4 : 5}`),
    { n: 3 },
  );
  const ctx = createRunContext({ name: "ask" });
  await lm.complete({ messages: [{ role: "user", content: question }] }, ctx);
  return ctx.span;
}

/** A finished run whose request carried a body of `bytes`. */
function bigRun(i: number, bytes: number) {
  const ctx = createRunContext({ name: `run-${i}` });
  ctx.span
    .child("openai:m", "lm", { request: { messages: [{ role: "user", content: `${i} ${"x".repeat(bytes)}` }] } })
    .finish();
  return ctx.span;
}

/** What every persistent trace store must do; each backend's test file runs it (sqlite-trace-store.test.ts, pg-trace-store.test.ts). */
export function traceStoreContract(backend: string, open: OpenTraceStore): void {
  test(`${backend} traces: the same answers as the in-memory store`, async () => {
    const store = await open({});
    const memory = memoryTraceStore();
    try {
      const a = await tracedRun("first?");
      const b = await tracedRun("second?");
      for (const s of [store, memory]) {
        await s.add({ span: a, model: "m", lm: "self-consistency(n=3)@scripted:test", stream: false });
        await s.add({ span: b, model: "m", stream: true, error: "upstream broke" });
      }
      assert.deepEqual(await store.list(), JSON.parse(JSON.stringify(await memory.list())));
      assert.deepEqual(await store.get(a.traceId), JSON.parse(JSON.stringify(await memory.get(a.traceId))));
      const got = (await store.get(b.traceId))!;
      assert.deepEqual([got.status, got.error, got.stream], ["error", "upstream broke", true]);
      assert.equal(got.root.children[0]!.name, "self-consistency");
      assert.equal(got.usage.calls, 1);
      assert.equal(await store.get("nope"), undefined);
      assert.deepEqual(await store.idsStartingWith(a.traceId.slice(0, 8)), [a.traceId]);
      assert.deepEqual(await store.idsStartingWith("%"), [], "LIKE wildcards are taken literally");
      assert.deepEqual(await store.idsStartingWith("_"), []);
    } finally {
      await store.close();
      await store.close();
    }
  });

  test(`${backend} traces: only the newest \`capacity\` are kept; list takes a limit`, async () => {
    const store = await open({ capacity: 3 });
    try {
      const spans = [];
      for (let i = 0; i < 5; i++) {
        const span = await tracedRun(`q${i}?`);
        spans.push(span);
        await store.add({ span, model: `m${i}`, stream: false });
      }
      assert.deepEqual(
        (await store.list()).map((t) => t.model),
        ["m4", "m3", "m2"],
      );
      assert.deepEqual(
        (await store.list({ limit: 1 })).map((t) => t.model),
        ["m4"],
      );
      assert.equal(await store.get(spans[0]!.traceId), undefined);
    } finally {
      await store.close();
    }
  });

  test(`${backend} traces: 60 traces with 512 KiB bodies stay within maxBytes; bodies are kept cut, with their size`, async () => {
    const store = await open({ maxBytes: 256 * KiB, maxFieldBytes: 8 * KiB });
    const ids: string[] = [];
    try {
      for (let i = 0; i < 60; i++) {
        const span = bigRun(i, 512 * KiB);
        ids.push(span.traceId);
        await store.add({ span, model: "openai:m", stream: false });
        if (i % 10 === 9) await tick(); // let the background pruning run, as a server's event loop would
      }
      await store.prune();
      assert.ok((await store.storedBytes()) <= 256 * KiB, `${await store.storedBytes()} bytes stored`);
      assert.equal(await store.get(ids[0]!), undefined, "the oldest traces were pruned");
      const newest = (await store.get(ids.at(-1)!))!;
      const content = (newest.root.children[0]!.attributes.request as { messages: { content: string }[] }).messages[0]!
        .content;
      assert.ok(content.startsWith("59 xxx"), "the start of the body is kept");
      assert.match(content, /… \[truncated: 524291 bytes\]$/);
      assert.ok(content.length < 9 * KiB);
    } finally {
      await store.close();
    }
  });

  test(`${backend} traces: older than maxAgeMs are pruned; a trace too big even when cut keeps its summary; errors are cut`, async () => {
    let clock = Date.now();
    const store = await open({ maxAgeMs: 60, now: () => clock, maxTraceBytes: 64 * KiB, maxFieldBytes: 64 * KiB });
    try {
      const old = createRunContext({ name: "old" }).span;
      await store.add({ span: old, model: "m", stream: false });
      await new Promise((resolve) => setTimeout(resolve, 120));
      const wide = createRunContext({ name: "wide" });
      clock = wide.span.start + 10;
      for (let i = 0; i < 400; i++) wide.span.child(`step-${i}`, "lm", { output: "y".repeat(1000) }).finish();
      await store.add({ span: wide.span, model: "m", stream: false, error: "e".repeat(100 * KiB) });
      assert.equal(await store.prune(), 1);
      assert.equal(await store.get(old.traceId), undefined);
      const kept = (await store.get(wide.span.traceId))!;
      assert.equal(kept.root.children.length, 0);
      assert.match(String(kept.root.attributes.truncated), /too large/);
      assert.equal(kept.usage.calls, 0);
      assert.ok(kept.error!.length < 65 * KiB && kept.error!.endsWith("… [truncated]"));
    } finally {
      await store.close();
    }
  });

  test(`${backend} traces: saving a trace again replaces it`, async () => {
    const store = await open({});
    try {
      const span = await tracedRun("again?");
      await store.add({ span, model: "first", stream: false });
      await store.add({ span, model: "second", stream: false, outcome: "aborted" });
      const list = await store.list();
      assert.deepEqual(
        list.map((t) => [t.model, t.status]),
        [["second", "aborted"]],
      );
    } finally {
      await store.close();
    }
  });
}
