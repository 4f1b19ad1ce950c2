import assert from "node:assert/strict";
import { test } from "node:test";
import { memoryTraceStore } from "../../server/trace-store.ts";
import { Span } from "../../trace/span.ts";
import { writeBehindTraceStore } from "./write-behind-trace-store.ts";

test("adds are written after the current turn, and reads see them at once", async () => {
  const inner = memoryTraceStore();
  const store = writeBehindTraceStore(inner);
  const span = new Span({ name: "run", kind: "run" });
  store.add({ span, model: "m", stream: false });
  assert.equal(inner.get(span.id), undefined, "not written synchronously");
  assert.equal(store.get(span.id)?.id ?? store.list()[0]?.id, span.id, "a read flushes first");
  const second = new Span({ name: "run", kind: "run" });
  store.add({ span: second, model: "m", stream: false });
  await new Promise((r) => setImmediate(r));
  assert.ok(
    inner.list().some((t) => t.id === second.id),
    "written on the next turn",
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
  await new Promise((r) => setImmediate(r));
  assert.equal((errors[0] as Error).message, "disk full");
});
