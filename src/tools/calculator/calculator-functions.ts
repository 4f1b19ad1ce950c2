import { approx, exact, MAX_BITS, toNumber, type CalcValue } from "./calc-value.ts";
import { exactRoot, Rational } from "./rational.ts";

/** A function the calculator knows: its arity and its implementation (a string return is a domain error). */
export interface CalcFunction {
  minArgs: number;
  maxArgs: number;
  apply(args: CalcValue[]): CalcValue | string;
}

const unaryFloat = (f: (x: number) => number, domain?: (x: number) => string | undefined): CalcFunction => ({
  minArgs: 1,
  maxArgs: 1,
  apply: ([a]) => domain?.(toNumber(a!)) ?? approx(f(toNumber(a!))),
});

const positive = (name: string) => (x: number) => (x > 0 ? undefined : `${name} is only defined for positive numbers`);

export const calculatorFunctions: Record<string, CalcFunction> = {
  sqrt: { minArgs: 1, maxArgs: 1, apply: ([a]) => root(a!, 2) },
  cbrt: { minArgs: 1, maxArgs: 1, apply: ([a]) => root(a!, 3) },
  abs: { minArgs: 1, maxArgs: 1, apply: ([a]) => (a!.exact ? exact(a!.q.abs()) : approx(Math.abs(a!.x))) },
  floor: { minArgs: 1, maxArgs: 1, apply: ([a]) => (a!.exact ? exact(a!.q.floor()) : approx(Math.floor(a!.x))) },
  ceil: { minArgs: 1, maxArgs: 1, apply: ([a]) => (a!.exact ? exact(a!.q.ceil()) : approx(Math.ceil(a!.x))) },
  round: { minArgs: 1, maxArgs: 2, apply: ([a, digits]) => round(a!, digits) },
  min: { minArgs: 1, maxArgs: Infinity, apply: (args) => args.reduce((m, v) => (compare(v, m) < 0 ? v : m)) },
  max: { minArgs: 1, maxArgs: Infinity, apply: (args) => args.reduce((m, v) => (compare(v, m) > 0 ? v : m)) },
  log: { minArgs: 1, maxArgs: 2, apply: ([a, base]) => log(a!, base ?? exact(Rational.of(10n))) },
  log10: { minArgs: 1, maxArgs: 1, apply: ([a]) => log(a!, exact(Rational.of(10n))) },
  log2: { minArgs: 1, maxArgs: 1, apply: ([a]) => log(a!, exact(Rational.of(2n))) },
  ln: {
    minArgs: 1,
    maxArgs: 1,
    apply: ([a]) =>
      a!.exact && a!.q.cmp(Rational.one) === 0
        ? exact(Rational.zero)
        : (positive("ln")(toNumber(a!)) ?? approx(Math.log(toNumber(a!)))),
  },
  exp: {
    minArgs: 1,
    maxArgs: 1,
    apply: ([a]) => (a!.exact && a!.q.sign === 0 ? exact(Rational.one) : approx(Math.exp(toNumber(a!)))),
  },
  sin: unaryFloat(Math.sin),
  cos: unaryFloat(Math.cos),
  tan: unaryFloat(Math.tan),
  asin: unaryFloat(Math.asin, (x) => (Math.abs(x) <= 1 ? undefined : "asin is only defined from -1 to 1")),
  acos: unaryFloat(Math.acos, (x) => (Math.abs(x) <= 1 ? undefined : "acos is only defined from -1 to 1")),
  atan: unaryFloat(Math.atan),
};

export const calculatorConstants: Record<string, CalcValue> = {
  pi: approx(Math.PI),
  e: approx(Math.E),
  tau: approx(2 * Math.PI),
};

export function compare(a: CalcValue, b: CalcValue): number {
  if (a.exact && b.exact) return a.q.cmp(b.q);
  return Math.sign(toNumber(a) - toNumber(b));
}

/** The k-th root, exact when the rational is a perfect k-th power (sqrt(9/4) = 3/2). */
export function root(a: CalcValue, k: number): CalcValue | string {
  if (a.exact) {
    const negative = a.q.sign < 0;
    if (negative && k % 2 === 0) return "the square root of a negative number is not a real number";
    const n = exactRoot(negative ? -a.q.num : a.q.num, k);
    const d = exactRoot(a.q.den, k);
    if (n !== undefined && d !== undefined) return exact(Rational.of(negative ? -n : n, d));
  }
  const x = toNumber(a);
  if (x < 0 && k % 2 === 0) return "the square root of a negative number is not a real number";
  return approx(k === 2 ? Math.sqrt(x) : Math.cbrt(x));
}

/** 10^digits stays within the calculator's size limit. */
const MAX_ROUND_DIGITS = BigInt(Math.floor(MAX_BITS / Math.log2(10)));

function round(a: CalcValue, digits: CalcValue | undefined): CalcValue | string {
  if (digits && !(digits.exact && digits.q.isInteger)) return "round's second argument (digits) must be an integer";
  if (digits && (digits.q.num > MAX_ROUND_DIGITS || digits.q.num < -MAX_ROUND_DIGITS))
    return `round's second argument (digits) must be from -${MAX_ROUND_DIGITS} to ${MAX_ROUND_DIGITS}`;
  const scale = Rational.of(10n).pow(digits?.exact ? digits.q.num : 0n);
  if (a.exact) return exact(a.q.mul(scale).round().div(scale));
  const s = scale.toNumber();
  return approx((Math.sign(a.x) * Math.round(Math.abs(a.x) * s)) / s);
}

/** log of `a` to `base`; exact when `a` is an integer power of an exact base (log(1000) = 3). */
function log(a: CalcValue, base: CalcValue): CalcValue | string {
  const x = toNumber(a);
  const b = toNumber(base);
  if (!(x > 0)) return "log is only defined for positive numbers";
  if (!(b > 0) || b === 1) return "the base of a logarithm must be positive and not 1";
  if (a.exact && base.exact) {
    const k = Math.round(Math.log(x) / Math.log(b));
    if (Number.isFinite(k) && Math.abs(k) <= 10_000 && base.q.pow(BigInt(k)).cmp(a.q) === 0)
      return exact(Rational.of(BigInt(k)));
  }
  return approx(Math.log(x) / Math.log(b));
}
