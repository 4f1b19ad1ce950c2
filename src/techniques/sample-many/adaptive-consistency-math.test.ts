import assert from "node:assert/strict";
import { test } from "node:test";
import { seededRandom } from "../../core/seeded-random.ts";
import { logGamma, regularizedIncompleteBeta, sampleGamma } from "./adaptive-consistency-math.ts";

function binomialTail(n: number, k: number, x: number): number {
  // P(Bin(n, x) >= k), summed directly.
  let sum = 0;
  let c = 1;
  for (let j = 0; j <= n; j++) {
    if (j > 0) c = (c * (n - j + 1)) / j;
    if (j >= k) sum += c * x ** j * (1 - x) ** (n - j);
  }
  return sum;
}

test("logGamma matches factorials and Γ(1/2) = √π", () => {
  for (let n = 1; n <= 20; n++) {
    let f = 1;
    for (let i = 2; i < n; i++) f *= i;
    assert.ok(Math.abs(logGamma(n) - Math.log(f)) < 1e-10, `Γ(${n})`);
  }
  assert.ok(Math.abs(logGamma(0.5) - Math.log(Math.sqrt(Math.PI))) < 1e-12);
});

test("the incomplete beta function equals the binomial identity for integer parameters", () => {
  // I_x(a, b) = P(Bin(a + b - 1, x) >= a) for integers a, b >= 1.
  for (let a = 1; a <= 40; a += 3)
    for (let b = 1; b <= 40; b += 4)
      for (const x of [0.05, 0.3, 0.5, 0.77, 0.95]) {
        const want = binomialTail(a + b - 1, a, x);
        assert.ok(Math.abs(regularizedIncompleteBeta(x, a, b) - want) < 1e-12, `I_${x}(${a}, ${b})`);
      }
});

test("the incomplete beta function at edges and for non-integer parameters", () => {
  assert.equal(regularizedIncompleteBeta(0, 2, 3), 0);
  assert.equal(regularizedIncompleteBeta(1, 2, 3), 1);
  // I_x(1/2, 1/2) = (2/π) asin(√x), the arcsine distribution.
  for (const x of [0.1, 0.5, 0.9])
    assert.ok(Math.abs(regularizedIncompleteBeta(x, 0.5, 0.5) - (2 / Math.PI) * Math.asin(Math.sqrt(x))) < 1e-10);
  assert.throws(() => regularizedIncompleteBeta(0.5, 0, 1), RangeError);
});

test("seeded gamma draws are reproducible and have the right mean", () => {
  const a = seededRandom(7);
  const b = seededRandom(7);
  assert.equal(sampleGamma(3, a), sampleGamma(3, b));
  for (const shape of [0.5, 1, 4.5]) {
    const random = seededRandom(42);
    let sum = 0;
    const n = 40_000;
    for (let i = 0; i < n; i++) sum += sampleGamma(shape, random);
    assert.ok(Math.abs(sum / n - shape) < 0.05 * Math.max(1, shape), `mean of Gamma(${shape}) was ${sum / n}`);
  }
});
