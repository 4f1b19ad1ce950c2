import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openTraceStore } from "./sqlite-trace-store.ts";
import type { TraceStore } from "../../server/trace-store.ts";
import assert from "node:assert/strict";
import { test } from "node:test";
import { memoryTraceStore } from "../../server/trace-store.ts";
import { Span } from "../../trace/span.ts";
import { writeBehindTraceStore } from "./write-behind-trace-store.ts";

test("adds are written after the current turn, and reads see them at once", async () => {
  const inner = memoryTraceStore();
  const store = writeBehindTraceStore(inner, undefined, { delayMs: 5 });
  const span = new Span({ name: "run", kind: "run" });
  await store.add({ span, model: "m", stream: false });
  assert.equal(await inner.get(span.traceId), undefined, "not written in the request's turn");
  assert.equal((await store.get(span.traceId))?.id, span.traceId, "a read flushes first");
  const second = new Span({ name: "run", kind: "run" });
  await store.add({ span: second, model: "m", stream: false });
  // Generous: the batch is due 5 ms later; the machine may be busy.
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(
    (await inner.list()).some((t) => t.id === second.traceId),
    "written once its batch is due",
  );
});

test("a failing write is reported, not thrown into the request path", async () => {
  const errors: unknown[] = [];
  const store = writeBehindTraceStore(
    {
      add: async () => {
        throw new Error("disk full");
      },
      get: async () => undefined,
      list: async () => [],
    },
    (e) => errors.push(e),
  );
  await store.add({ span: new Span({ name: "run", kind: "run" }), model: "m", stream: false });
  await store.flush();
  assert.equal((errors[0] as Error).message, "disk full");
});

test("while the store hangs, at most maxPending traces wait; the oldest are dropped and reported", async () => {
  const errors: unknown[] = [];
  let release!: () => void;
  const hang = new Promise<void>((r) => (release = r));
  const inner = memoryTraceStore();
  const store = writeBehindTraceStore(
    { ...inner, add: async (entry) => (await hang, inner.add(entry)) },
    (e) => errors.push(e),
    { maxPending: 5 },
  );
  await store.add({ span: new Span({ name: "first", kind: "run" }), model: "m", stream: false });
  await new Promise((r) => setTimeout(r, 200)); // the first batch (due 20 ms later) is now stuck in the store
  for (let i = 0; i < 12; i++)
    await store.add({ span: new Span({ name: `r${i}`, kind: "run" }), model: `m${i}`, stream: false });
  assert.equal(errors.length, 7, "12 queued behind a limit of 5");
  release();
  await store.flush();
  assert.deepEqual((await inner.list()).map((t) => t.model).slice(0, 5), ["m11", "m10", "m9", "m8", "m7"]);
});

test("a batch goes to a SQLite store in one transaction; a batch that fails is written entry by entry", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lmx-wb-"));
  const sqlite = openTraceStore({ path: join(dir, "t.sqlite") });
  try {
    let batches = 0;
    let failBatch = false;
    const counted: TraceStore = {
      add: (entry) => sqlite.add(entry),
      get: (id) => sqlite.get(id),
      list: (o) => sqlite.list(o),
      async addAll(entries) {
        batches++;
        if (failBatch) throw new Error("batch refused");
        await sqlite.addAll!(entries);
      },
    };
    const store = writeBehindTraceStore(counted);
    const spans = Array.from({ length: 5 }, () => new Span({ name: "run", kind: "run" }));
    for (const span of spans) await store.add({ span, model: "m", stream: false });
    await store.flush();
    assert.equal(batches, 1);
    assert.deepEqual(new Set((await sqlite.list()).map((t) => t.id)), new Set(spans.map((s) => s.traceId)));

    failBatch = true;
    for (let i = 0; i < 3; i++)
      await store.add({ span: new Span({ name: "run", kind: "run" }), model: "m", stream: false });
    await store.flush();
    assert.equal(batches, 2);
    assert.equal((await sqlite.list()).length, 8, "each entry of the refused batch was saved on its own");
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
