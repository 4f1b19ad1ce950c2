import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { after, test } from "node:test";
import { setImmediate as tick } from "node:timers/promises";
import { createRunContext } from "../../core/context.ts";
import { openTraceStore } from "./sqlite-trace-store.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-trace-limits-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const MiB = 1024 * 1024;

/** A finished run whose request carried a 4 MB body, as the 1,150 requests did. */
function bigRun(i: number) {
  const ctx = createRunContext({ name: `run-${i}` });
  ctx.span
    .child("openai:m", "lm", { request: { messages: [{ role: "user", content: `${i} ${"x".repeat(4 * MiB)}` }] } })
    .finish();
  return ctx.span;
}

const fileBytes = (path: string) =>
  [path, `${path}-wal`, `${path}-shm`].reduce((sum, p) => sum + (existsSync(p) ? statSync(p).size : 0), 0);

test("200 traces with 4 MB bodies stay within maxBytes on disk; bodies are kept cut, with their size", async () => {
  const path = join(dir, "bounded.sqlite");
  const store = openTraceStore({ path, maxBytes: 2 * MiB, maxFieldBytes: 16 * 1024 });
  const ids: string[] = [];
  for (let i = 0; i < 200; i++) {
    const span = bigRun(i);
    ids.push(span.traceId);
    await store.add({ span, model: "openai:m", stream: false });
    if (i % 10 === 9) await tick(); // let the background pruning run, as a server's event loop would
  }
  const stored = await store.storedBytes();
  assert.ok(stored <= 2 * MiB, `${stored} bytes stored`);
  await store.close();
  // 200 × 4 MB = 800 MB of bodies; the file, WAL included, stays near the 2 MiB bound.
  const onDisk = fileBytes(path);
  assert.ok(onDisk < 8 * MiB, `${(onDisk / MiB).toFixed(1)} MiB on disk`);

  const reopened = openTraceStore({ path, mustExist: true });
  assert.equal(await reopened.get(ids[0]!), undefined, "the oldest traces were pruned");
  const newest = (await reopened.get(ids.at(-1)!))!;
  const content = (newest.root.children[0]!.attributes.request as { messages: { content: string }[] }).messages[0]!
    .content;
  assert.ok(content.startsWith("199 xxx"), "the start of the body is kept");
  assert.match(content, /… \[truncated: 4194308 bytes\]$/);
  assert.ok(content.length < 17 * 1024);
  await reopened.close();
});

test("a version 1 trace file is upgraded and its sizes counted", async () => {
  const path = join(dir, "v1.sqlite");
  const store = openTraceStore({ path });
  await store.add({ span: createRunContext({ name: "v1" }).span, model: "m", stream: false });
  await store.close();
  const db = new Database(path);
  db.exec("ALTER TABLE traces DROP COLUMN bytes");
  db.pragma("user_version = 1");
  db.close();
  const upgraded = openTraceStore({ path });
  assert.ok((await upgraded.storedBytes()) > 100);
  assert.equal((await upgraded.list()).length, 1);
  await upgraded.close();
});
