import assert from "node:assert/strict";
import { test } from "node:test";
import { Span } from "../trace/span.ts";
import { memoryTraceStore } from "./trace-store.ts";

test("the store keeps the last `capacity` traces, newest first, with their usage and full trees", async () => {
  const store = memoryTraceStore({ capacity: 3 });
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const root = new Span({ name: "request", kind: "run" });
    root.child("openai:m", "lm").record({ prompt_tokens: i, completion_tokens: 1, calls: 1 });
    await store.add({ span: root, model: `m${i}`, stream: false, error: i === 4 ? "boom" : undefined });
    ids.push(root.traceId);
  }
  assert.deepEqual(
    (await store.list()).map((t) => t.model),
    ["m4", "m3", "m2"],
  );
  assert.equal((await store.list({ limit: 1 })).length, 1);
  assert.equal(await store.get(ids[0]!), undefined, "the oldest were dropped");
  const newest = (await store.get(ids[4]!))!;
  assert.equal(newest.status, "error");
  assert.equal(newest.usage.prompt_tokens, 4);
  assert.equal(newest.root.children[0]!.kind, "lm");
  assert.equal(newest.root.total.calls, 1);
});
