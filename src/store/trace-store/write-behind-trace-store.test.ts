import assert from "node:assert/strict";
import { test } from "node:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryTraceStore, type TraceEntry } from "../../server/trace-store.ts";
import { Span } from "../../trace/span.ts";
import { openTraceStore } from "./sqlite-trace-store.ts";
import { writeBehindTraceStore } from "./write-behind-trace-store.ts";

const later = (ms = 60) => new Promise((r) => setTimeout(r, ms));

test("adds are written after the current turn, and reads see them at once", async () => {
  const inner = memoryTraceStore();
  const store = writeBehindTraceStore(inner);
  const span = new Span({ name: "run", kind: "run" });
  store.add({ span, model: "m", stream: false });
  assert.equal(inner.get(span.id), undefined, "not written synchronously");
  assert.equal(store.get(span.id)?.id ?? store.list()[0]?.id, span.id, "a read flushes first");
  const second = new Span({ name: "run", kind: "run" });
  store.add({ span: second, model: "m", stream: false });
  await later();
  assert.ok(
    inner.list().some((t) => t.id === second.id),
    "written soon after",
  );
});

test("a failing write is reported, not thrown into the request path", async () => {
  const errors: unknown[] = [];
  const store = writeBehindTraceStore(
    {
      add: () => {
        throw new Error("disk full");
      },
      get: () => undefined,
      list: () => [],
    },
    (e) => errors.push(e),
  );
  store.add({ span: new Span({ name: "run", kind: "run" }), model: "m", stream: false });
  await later();
  assert.equal((errors[0] as Error).message, "disk full");
});

test("a batch goes to a SQLite store in one transaction; a batch that fails is written entry by entry", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lmx-wb-"));
  const sqlite = openTraceStore({ path: join(dir, "t.sqlite") });
  try {
    let batches = 0;
    let failBatch = false;
    const counted = Object.assign(Object.create(sqlite) as typeof sqlite, {
      addAll(entries: TraceEntry[]) {
        batches++;
        if (failBatch) throw new Error("batch refused");
        sqlite.addAll(entries);
      },
    });
    const store = writeBehindTraceStore(counted);
    const spans = Array.from({ length: 5 }, () => new Span({ name: "run", kind: "run" }));
    for (const span of spans) store.add({ span, model: "m", stream: false });
    await later();
    assert.equal(batches, 1);
    assert.deepEqual(new Set(sqlite.list().map((t) => t.id)), new Set(spans.map((s) => s.traceId)));

    failBatch = true;
    const more = Array.from({ length: 3 }, () => new Span({ name: "run", kind: "run" }));
    for (const span of more) store.add({ span, model: "m", stream: false });
    await later();
    assert.equal(batches, 2);
    assert.equal(sqlite.list().length, 8, "each entry of the refused batch was saved on its own");
  } finally {
    sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the queue is bounded: at maxPending entries it is written at once", () => {
  const inner = memoryTraceStore();
  const store = writeBehindTraceStore(inner, undefined, { delayMs: 60_000, maxPending: 3 });
  for (let i = 0; i < 3; i++) store.add({ span: new Span({ name: "run", kind: "run" }), model: "m", stream: false });
  assert.equal(inner.list().length, 3);
  store.add({ span: new Span({ name: "run", kind: "run" }), model: "m", stream: false });
  assert.equal(inner.list().length, 3, "the fourth waits for the next batch");
  store.flush();
});
