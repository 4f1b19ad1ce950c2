import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { after, test } from "node:test";
import { createRunContext } from "../../core/context.ts";
import { ConfigurationError } from "../../core/errors/configuration-error.ts";
import { defaultTraceStorePath, openTraceStore } from "./sqlite-trace-store.ts";
import { traceStoreContract } from "./trace-store.contract.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-trace-store-"));
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
traceStoreContract("SQLite", async (options) =>
  openTraceStore({ path: join(dir, `contract-${files++}.sqlite`), ...options }),
);

test("traces survive reopening the file; a missing file can be required to exist", async () => {
  const path = join(dir, "same.sqlite");
  const store = openTraceStore({ path });
  const span = createRunContext({ name: "ask" }).span;
  await store.add({ span, model: "m", lm: "scripted:test", stream: false });
  const before = await store.get(span.traceId);
  await store.close();
  const reopened = openTraceStore({ path, mustExist: true });
  assert.deepEqual(await reopened.get(span.traceId), before);
  assert.equal(reopened.where, path);
  await reopened.close();
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
