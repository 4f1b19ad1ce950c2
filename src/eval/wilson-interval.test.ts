import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";
import { wilsonInterval } from "./wilson-interval.ts";

const close = (actual: [number, number], expected: [number, number], digits = 4) => {
  const tolerance = 0.5 * 10 ** -digits;
  assert.ok(
    Math.abs(actual[0] - expected[0]) <= tolerance && Math.abs(actual[1] - expected[1]) <= tolerance,
    `got [${actual}], expected [${expected}]`,
  );
};

// Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I, method 3
// (Wilson score interval without continuity correction), 95%.
test("matches Newcombe's published Wilson intervals", () => {
  close(wilsonInterval({ successes: 81, total: 263 }), [0.2553, 0.3662]);
  close(wilsonInterval({ successes: 15, total: 148 }), [0.0624, 0.1605]);
  close(wilsonInterval({ successes: 0, total: 20 }), [0, 0.1611]);
  close(wilsonInterval({ successes: 1, total: 29 }), [0.0061, 0.1718]);
});

test("is symmetric around one half and stays inside [0, 1]", () => {
  const [lo, hi] = wilsonInterval({ successes: 5, total: 10 });
  close([lo, hi], [0.2366, 0.7634]);
  assert.ok(Math.abs(lo + hi - 1) < 1e-12);
  assert.deepEqual(wilsonInterval({ successes: 10, total: 10 })[1], 1);
  close(wilsonInterval({ successes: 10, total: 10 }), [0.7225, 1]);
});

test("a wider z gives a wider interval; no data gives [0, 1]", () => {
  const z95 = wilsonInterval({ successes: 30, total: 100 });
  const z99 = wilsonInterval({ successes: 30, total: 100, z: 2.5758 });
  assert.ok(z99[0] < z95[0] && z99[1] > z95[1]);
  assert.deepEqual(wilsonInterval({ successes: 0, total: 0 }), [0, 1]);
});

test("impossible counts are InvalidRequestErrors", () => {
  assert.throws(
    () => wilsonInterval({ successes: 3, total: 2 }),
    (e) => InvalidRequestError.isInstance(e),
  );
  assert.throws(
    () => wilsonInterval({ successes: -1, total: 2 }),
    (e) => InvalidRequestError.isInstance(e),
  );
  assert.throws(
    () => wilsonInterval({ successes: 1.5, total: 2 }),
    (e) => InvalidRequestError.isInstance(e),
  );
});
