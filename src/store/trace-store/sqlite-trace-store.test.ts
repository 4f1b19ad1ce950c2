import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { after, test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { scriptedLM } from "../../providers/scripted/scripted-lm.ts";
import { memoryTraceStore } from "../../server/trace-store.ts";
import { selfConsistency } from "../../techniques/sample-many/self-consistency.ts";
import { defaultTraceStorePath, openTraceStore } from "./sqlite-trace-store.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-trace-store-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function tracedRun(question: string) {
  const lm = selfConsistency(
    scriptedLM((_r, { sampleIndex }) => `The answer is ${sampleIndex % 2 ? 4 : 5}`),
    { n: 3 },
  );
  const ctx = createRunContext({ name: "ask" });
  await lm.complete({ messages: [{ role: "user", content: question }] }, ctx);
  return ctx.span;
}

test("stores traces across reopenings with the same answers as the in-memory store", async () => {
  const path = join(dir, "same.sqlite");
  const store = openTraceStore({ path });
  const memory = memoryTraceStore();
  const a = await tracedRun("first?");
  const b = await tracedRun("second?");
  for (const s of [store, memory]) {
    s.add({ span: a, model: "m", lm: "self-consistency(n=3)@scripted:test", stream: false });
    s.add({ span: b, model: "m", stream: true, error: "upstream broke" });
  }
  store.close();

  const reopened = openTraceStore({ path });
  assert.deepEqual(reopened.list(), JSON.parse(JSON.stringify(memory.list())));
  assert.deepEqual(reopened.get(a.traceId), JSON.parse(JSON.stringify(memory.get(a.traceId))));
  const got = reopened.get(b.traceId)!;
  assert.deepEqual([got.status, got.error, got.stream], ["error", "upstream broke", true]);
  assert.equal(got.root.children[0]!.name, "self-consistency");
  assert.equal(got.usage.calls, 1);
  assert.equal(reopened.get("nope"), undefined);
  assert.deepEqual(reopened.idsStartingWith(a.traceId.slice(0, 8)), [a.traceId]);
  assert.deepEqual(reopened.idsStartingWith("%"), [], "LIKE wildcards are taken literally");
  reopened.close();
});

test("keeps only the newest `capacity` traces; a missing file can be required to exist", async () => {
  const store = openTraceStore({ path: join(dir, "ring.sqlite"), capacity: 3 });
  const spans = [];
  for (let i = 0; i < 5; i++) {
    const span = await tracedRun(`q${i}?`);
    spans.push(span);
    store.add({ span, model: `m${i}`, stream: false });
  }
  assert.deepEqual(
    store.list().map((t) => t.model),
    ["m4", "m3", "m2"],
  );
  assert.deepEqual(
    store.list({ limit: 1 }).map((t) => t.model),
    ["m4"],
  );
  assert.equal(store.get(spans[0]!.traceId), undefined);
  store.close();
  assert.throws(
    () => openTraceStore({ path: join(dir, "absent.sqlite"), mustExist: true }),
    (e) => ConfigurationError.isInstance(e) && /No trace has been saved yet/.test(e.message),
  );
});

test("another program's database is refused untouched; the default path honours LMX_TRACES", () => {
  const foreign = join(dir, "foreign.sqlite");
  const db = new Database(foreign);
  db.exec("CREATE TABLE invoices (id INTEGER)");
  db.close();
  assert.throws(
    () => openTraceStore({ path: foreign }),
    (e) => ConfigurationError.isInstance(e) && /not an lmx trace store.*invoices/.test(e.message),
  );
  const junk = join(dir, "junk.sqlite");
  writeFileSync(junk, "this is not a database at all, just text that is long enough to be read");
  assert.throws(
    () => openTraceStore({ path: junk }),
    (e) => ConfigurationError.isInstance(e) && /not a readable SQLite database/.test(e.message),
  );
  assert.equal(defaultTraceStorePath({ env: { LMX_TRACES: "t.sqlite" }, cwd: "/x" }), "/x/t.sqlite");
  assert.equal(
    defaultTraceStorePath({ env: { XDG_STATE_HOME: "/st" }, cwd: "/x" }),
    "/st/lmx/traces.sqlite",
    "not in the working folder",
  );
});
