import assert from "node:assert/strict";
import { test } from "node:test";
import { memoryTraceStore } from "../../server/trace-store.ts";
import { Span } from "../../trace/span.ts";
import { writeBehindTraceStore } from "./write-behind-trace-store.ts";

test("adds are written after the current turn, and reads see them at once", async () => {
  const inner = memoryTraceStore();
  const store = writeBehindTraceStore(inner);
  const span = new Span({ name: "run", kind: "run" });
  await store.add({ span, model: "m", stream: false });
  assert.equal(await inner.get(span.traceId), undefined, "not written in the request's turn");
  assert.equal((await store.get(span.traceId))?.id, span.traceId, "a read flushes first");
  const second = new Span({ name: "run", kind: "run" });
  await store.add({ span: second, model: "m", stream: false });
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  assert.ok(
    (await inner.list()).some((t) => t.id === second.traceId),
    "written on the next turn",
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
  await new Promise((r) => setImmediate(r)); // the first batch is now stuck in the store
  for (let i = 0; i < 12; i++)
    await store.add({ span: new Span({ name: `r${i}`, kind: "run" }), model: `m${i}`, stream: false });
  assert.equal(errors.length, 7, "12 queued behind a limit of 5");
  release();
  await store.flush();
  assert.deepEqual((await inner.list()).map((t) => t.model).slice(0, 5), ["m11", "m10", "m9", "m8", "m7"]);
});
