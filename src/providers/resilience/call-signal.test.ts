import assert from "node:assert/strict";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Budget } from "../../budget/budget.ts";
import type { RunContext } from "../../core/types.ts";
import { callSignal } from "./call-signal.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

test("a finished call's signal is collectable though a listener on it was never removed (as SDKs do)", async () => {
  const parent = new AbortController();
  const ctx = { budget: new Budget(), signal: parent.signal } as RunContext;
  const refs: WeakRef<AbortSignal>[] = [];
  for (let i = 0; i < 100; i++) {
    const call = callSignal(ctx, 60_000);
    call.signal.addEventListener("abort", () => {});
    refs.push(new WeakRef(call.signal));
    call.dispose();
  }
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setImmediate(r));
    gc();
  }
  // V8 may keep the most recent one or two objects a little longer; a leak keeps all 100.
  const held = refs.filter((r) => r.deref()).length;
  assert.ok(held <= 2, `${held} of 100 signals of finished calls still held`);
});

test("the call signal aborts with the caller and on its timeout, and says which", async () => {
  const parent = new AbortController();
  const ctx = { budget: new Budget(), signal: parent.signal } as RunContext;
  const byCaller = callSignal(ctx, 60_000);
  parent.abort();
  assert.ok(byCaller.signal.aborted);
  assert.equal(byCaller.timedOut(), undefined);
  byCaller.dispose();

  const byTimeout = callSignal({ budget: new Budget() } as RunContext, 20);
  await new Promise((r) => byTimeout.signal.addEventListener("abort", r));
  assert.equal(byTimeout.timedOut(), "request");
  byTimeout.dispose();

  const byBudget = callSignal({ budget: new Budget({ time_ms: 20 }) } as RunContext, 60_000);
  await new Promise((r) => byBudget.signal.addEventListener("abort", r));
  assert.equal(byBudget.timedOut(), "budget");
  byBudget.dispose();
});
