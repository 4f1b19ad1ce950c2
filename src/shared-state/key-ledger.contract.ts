import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { KeyLedger, ReserveInput } from "./key-ledger.ts";

/** What every KeyLedger must do; the memory and Redis ledgers' tests both run it. */
export function keyLedgerContract(name: string, open: () => Promise<{ ledger: KeyLedger; close(): Promise<void> }>) {
  describe(`KeyLedger contract: ${name}`, () => {
    let ledger: KeyLedger;
    let close: () => Promise<void>;
    let n = 0;
    const fresh = () => `k${process.pid}-${Date.now()}-${n++}`;
    const ask = (key: string, over: Partial<ReserveInput> = {}): ReserveInput => ({
      key,
      period: "total",
      limits: { cost_usd: 1 },
      want: { cost_usd: 0.4, tokens: 0, calls: 0 },
      ttlMs: 60_000,
      ...over,
    });
    before(async () => ({ ledger, close } = await open()));
    after(async () => close());

    it("grants what is asked while it lasts, then the rest, then refuses naming the dimension", async () => {
      const key = fresh();
      const a = await ledger.reserve(ask(key));
      const b = await ledger.reserve(ask(key));
      const c = await ledger.reserve(ask(key));
      const d = await ledger.reserve(ask(key));
      assert.deepEqual([a.ok && a.hold.granted, b.ok && b.hold.granted], [{ cost_usd: 0.4 }, { cost_usd: 0.4 }]);
      assert.ok(c.ok);
      assert.ok(Math.abs(c.hold.granted.cost_usd! - 0.2) < 1e-9);
      assert.deepEqual(d, { ok: false, exhausted: "cost_usd" });
    });

    it("settling replaces a hold with what was spent, so the rest is free again", async () => {
      const key = fresh();
      const a = await ledger.reserve(ask(key, { want: { cost_usd: 1, tokens: 0, calls: 0 } }));
      assert.ok(a.ok);
      assert.equal((await ledger.reserve(ask(key))).ok, false);
      await ledger.settle(a.hold, { cost_usd: 0.25, tokens: 100, calls: 2 });
      const s = await ledger.spend(key, "total");
      assert.deepEqual(s.spent, { cost_usd: 0.25, tokens: 100, calls: 2 });
      assert.deepEqual(s.held, { cost_usd: 0, tokens: 0, calls: 0 });
      const b = await ledger.reserve(ask(key, { want: { cost_usd: 5, tokens: 0, calls: 0 } }));
      assert.ok(b.ok && Math.abs(b.hold.granted.cost_usd! - 0.75) < 1e-9);
      // Settling twice counts once.
      await ledger.settle(a.hold, { cost_usd: 0.25 });
      assert.equal((await ledger.spend(key, "total")).spent.cost_usd, 0.25);
    });

    it("limits every dimension it is given and counts the others without refusing", async () => {
      const key = fresh();
      const limits = { tokens: 1000, calls: 3 };
      const want = { cost_usd: 9, tokens: 600, calls: 2 };
      const a = await ledger.reserve(ask(key, { limits, want }));
      assert.ok(a.ok);
      assert.deepEqual(a.hold.granted, { tokens: 600, calls: 2 });
      const b = await ledger.reserve(ask(key, { limits, want }));
      assert.ok(b.ok);
      assert.deepEqual(b.hold.granted, { tokens: 400, calls: 1 });
      assert.deepEqual(await ledger.reserve(ask(key, { limits, want })), { ok: false, exhausted: "tokens" });
      await ledger.settle(a.hold, { cost_usd: 3, tokens: 10, calls: 1 });
      assert.equal((await ledger.spend(key, "total")).spent.cost_usd, 3);
    });

    it("requests reserving at once never hold more than the budget together", async () => {
      const key = fresh();
      const results = await Promise.all(
        Array.from({ length: 60 }, () => ledger.reserve(ask(key, { want: { cost_usd: 0.05, tokens: 0, calls: 0 } }))),
      );
      const granted = results.reduce((sum, r) => sum + (r.ok ? r.hold.granted.cost_usd! : 0), 0);
      assert.ok(granted <= 1 + 1e-9, `granted ${granted}`);
      assert.ok(granted > 0.99, `granted ${granted}`);
      assert.equal(results.filter((r) => !r.ok).length, 40);
    });

    it("a hold never settled counts as spent in full once it expires, and a late settle adds nothing", async () => {
      const key = fresh();
      const a = await ledger.reserve(ask(key, { ttlMs: 30 }));
      assert.ok(a.ok);
      await new Promise((r) => setTimeout(r, 80));
      const s = await ledger.spend(key, "total");
      assert.deepEqual([s.spent.cost_usd, s.held.cost_usd], [0.4, 0]);
      await ledger.settle(a.hold, { cost_usd: 0.1 });
      assert.equal((await ledger.spend(key, "total")).spent.cost_usd, 0.4);
    });

    it("keeps keys and periods apart", async () => {
      const [k1, k2] = [fresh(), fresh()];
      const a = await ledger.reserve(ask(k1, { want: { cost_usd: 1, tokens: 0, calls: 0 } }));
      assert.ok(a.ok);
      await ledger.settle(a.hold, { cost_usd: 1 });
      assert.equal((await ledger.reserve(ask(k1))).ok, false);
      assert.equal((await ledger.reserve(ask(k2))).ok, true);
      assert.equal((await ledger.reserve(ask(k1, { period: "day" }))).ok, true);
      assert.equal((await ledger.spend(k1, "day")).held.cost_usd, 0.4);
    });
  });
}
