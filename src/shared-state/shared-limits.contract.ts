import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AbortedError } from "../core/errors/aborted-error.ts";
import type { SharedLimits } from "./shared-limits.ts";

/** What every SharedLimits must do; the memory and Redis implementations' tests both run it. */
export function sharedLimitsContract(
  name: string,
  open: () => Promise<{ limits: SharedLimits; close(): Promise<void> }>,
) {
  describe(`SharedLimits contract: ${name}`, () => {
    let limits: SharedLimits;
    let close: () => Promise<void>;
    let n = 0;
    const fresh = () => `s${process.pid}-${Date.now()}-${n++}`;
    before(async () => ({ limits, close } = await open()));
    after(async () => close());

    it("never runs more than max of a scope at once, and runs them all", async () => {
      const scope = fresh();
      let running = 0;
      let peak = 0;
      await Promise.all(
        Array.from({ length: 12 }, async () => {
          const release = await limits.slot(scope, 3);
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 15));
          running--;
          release();
        }),
      );
      assert.equal(peak, 3);
    });

    it("a waiter that aborts leaves without a slot", async () => {
      const scope = fresh();
      const release = await limits.slot(scope, 1);
      const controller = new AbortController();
      const waiting = limits.slot(scope, 1, controller.signal);
      setTimeout(() => controller.abort(), 30);
      await assert.rejects(waiting, (e) => AbortedError.isInstance(e));
      release();
      release(); // twice is once
      const again = await limits.slot(scope, 1);
      again();
    });

    it("takes up to the per-minute limit at once, then waits", async () => {
      const scope = fresh();
      for (let i = 0; i < 5; i++) await limits.take(scope, 1, 5);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      await assert.rejects(limits.take(scope, 1, 5, controller.signal), (e) => AbortedError.isInstance(e));
    });

    it("a correction gives back what was over-counted", async () => {
      const scope = fresh();
      await limits.take(scope, 1000, 1000);
      await limits.adjust(scope, -400);
      await limits.take(scope, 400, 1000); // fits at once: would wait a minute otherwise
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      await assert.rejects(limits.take(scope, 10, 1000, controller.signal), (e) => AbortedError.isInstance(e));
    });

    it("an amount larger than the whole limit goes once the window is empty", async () => {
      await limits.take(fresh(), 5000, 100);
    });
  });
}
