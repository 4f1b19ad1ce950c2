import assert from "node:assert/strict";
import { test } from "node:test";
import { linkedSignal } from "./linked-signal.ts";

test("a request's signal may have hundreds of calls linked at once without a leak warning", async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on("warning", onWarning);
  try {
    const parent = new AbortController();
    const links = Array.from({ length: 200 }, () => linkedSignal(parent.signal));
    // Warnings are emitted on the next tick.
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(warnings, []);
    links[0]!.dispose();
    parent.abort("stop");
    assert.equal(links[0]!.signal.aborted, false, "a disposed link no longer follows its parent");
    assert.ok(links.slice(1).every((l) => l.signal.aborted && l.signal.reason === "stop"));
  } finally {
    process.off("warning", onWarning);
  }
});
