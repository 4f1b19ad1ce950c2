import { InvalidRequestError } from "../core/errors/invalid-request-error.ts";

/**
 * The Wilson score interval for a binomial proportion (Wilson 1927): unlike the normal
 * approximation it stays inside [0, 1] and behaves at 0/n and n/n, which small evals hit often.
 * `z` is the normal quantile (1.959964 for 95%). An empty sample gives the uninformative [0, 1].
 */
export function wilsonInterval(options: { successes: number; total: number; z?: number }): [number, number] {
  const { successes, total, z = 1.959963984540054 } = options;
  if (!Number.isInteger(total) || total < 0)
    throw new InvalidRequestError(`total must be a whole number >= 0, got ${total}`, { param: "total" });
  if (!Number.isInteger(successes) || successes < 0 || successes > total)
    throw new InvalidRequestError(`successes must be a whole number from 0 to ${total}, got ${successes}`, {
      param: "successes",
    });
  if (total === 0) return [0, 1];
  const p = successes / total;
  const z2 = z * z;
  const denominator = 1 + z2 / total;
  const centre = (p + z2 / (2 * total)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / total + z2 / (4 * total * total));
  // Rounding can push the ends a hair past the exact bounds at 0/n and n/n.
  return [successes === 0 ? 0 : Math.max(0, centre - half), successes === total ? 1 : Math.min(1, centre + half)];
}
