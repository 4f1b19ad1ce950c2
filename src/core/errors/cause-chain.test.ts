import assert from "node:assert/strict";
import { test } from "node:test";
import { causeChain, errorCode } from "./cause-chain.ts";

test("the causes behind an error, AggregateError members included, bounded however deep or circular", () => {
  const refused = (address: string) =>
    Object.assign(new Error(`connect ECONNREFUSED ${address}`), { code: "ECONNREFUSED" });
  const both = new AggregateError([refused("::1:9"), refused("127.0.0.1:9")], "");
  const outer = new Error("Connection error.", { cause: new TypeError("fetch failed", { cause: both }) });
  assert.deepEqual(
    causeChain(outer).map((e) => e.message),
    ["fetch failed", "", "connect ECONNREFUSED ::1:9", "connect ECONNREFUSED 127.0.0.1:9"],
  );
  assert.deepEqual(
    causeChain(outer).flatMap((e) => errorCode(e) ?? []),
    ["ECONNREFUSED", "ECONNREFUSED"],
  );
  const loop = new Error("a");
  (loop as { cause?: unknown }).cause = loop;
  assert.equal(causeChain(loop).length, 6);
  assert.deepEqual(causeChain("not an error"), []);
});
