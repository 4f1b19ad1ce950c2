import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import { splitData } from "./split-data.ts";

const records = Array.from({ length: 100 }, (_, i) => ({ id: `q${i}` }));
const ids = (xs: { id: string }[]) => xs.map((x) => x.id);

test("test, train and dev are disjoint, cover the data and have the asked sizes", () => {
  const s = splitData({ records, seed: 1, testFraction: 0.2, trainSize: 10 });
  assert.deepEqual([s.test.length, s.train.length, s.dev.length], [20, 10, 70]);
  assert.deepEqual(new Set([...ids(s.test), ...ids(s.train), ...ids(s.dev)]).size, 100);
});

test("the order is the seed's: the same on every call, another for another seed, independent of input order", () => {
  const a = splitData({ records, seed: 1, testFraction: 0.2 });
  const b = splitData({ records: [...records].reverse(), seed: 1, testFraction: 0.2 });
  const c = splitData({ records, seed: 2, testFraction: 0.2 });
  assert.deepEqual(ids(a.dev), ids(b.dev));
  assert.notDeepEqual(ids(a.dev), ids(c.dev));
  assert.notDeepEqual(ids(a.dev).slice(0, 10), ids(records).slice(20, 30), "the dev order is shuffled");
});

test("a dropped question moves nobody else", () => {
  const all = splitData({ records, seed: 3 }).dev;
  const fewer = splitData({ records: records.filter((r) => r.id !== all[5]!.id), seed: 3 }).dev;
  assert.deepEqual(
    ids(fewer),
    ids(all).filter((id) => id !== all[5]!.id),
  );
});

test("bad fractions and nothing left to tune on are InvalidRequestErrors", () => {
  for (const testFraction of [-0.1, 1, Number.NaN])
    assert.throws(
      () => splitData({ records, seed: 0, testFraction }),
      (e) => InvalidRequestError.isInstance(e),
    );
  assert.throws(
    () => splitData({ records: records.slice(0, 2), seed: 0, testFraction: 0.5, trainSize: 1 }),
    /no questions left/,
  );
});
