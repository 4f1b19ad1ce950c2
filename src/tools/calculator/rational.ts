/** An exact rational number over BigInt: always reduced, with a positive denominator. */
export class Rational {
  readonly num: bigint;
  readonly den: bigint;

  private constructor(num: bigint, den: bigint) {
    this.num = num;
    this.den = den;
  }

  static readonly zero = new Rational(0n, 1n);
  static readonly one = new Rational(1n, 1n);

  /** `num / den`, reduced; `den` must not be zero. */
  static of(num: bigint, den = 1n): Rational {
    if (den === 0n) throw new RangeError("zero denominator");
    if (den < 0n) {
      num = -num;
      den = -den;
    }
    const g = gcd(num < 0n ? -num : num, den);
    return g > 1n ? new Rational(num / g, den / g) : new Rational(num, den);
  }

  /** A decimal literal such as `0.1`, `12`, `.5`, `1.5e-3`, exactly. */
  static parseDecimal(text: string): Rational {
    const m = /^(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
    if (!m || (!m[1] && !m[2])) throw new SyntaxError(`not a number: ${text}`);
    const fraction = m[2] ?? "";
    const exponent = Number(m[3] ?? 0) - fraction.length;
    const digits = BigInt((m[1] || "0") + fraction);
    return exponent >= 0
      ? Rational.of(digits * 10n ** BigInt(exponent))
      : Rational.of(digits, 10n ** BigInt(-exponent));
  }

  get isInteger(): boolean {
    return this.den === 1n;
  }

  get sign(): -1 | 0 | 1 {
    return this.num === 0n ? 0 : this.num < 0n ? -1 : 1;
  }

  add(o: Rational): Rational {
    return Rational.of(this.num * o.den + o.num * this.den, this.den * o.den);
  }

  sub(o: Rational): Rational {
    return Rational.of(this.num * o.den - o.num * this.den, this.den * o.den);
  }

  mul(o: Rational): Rational {
    return Rational.of(this.num * o.num, this.den * o.den);
  }

  /** Throws a RangeError on division by zero. */
  div(o: Rational): Rational {
    return Rational.of(this.num * o.den, this.den * o.num);
  }

  neg(): Rational {
    return new Rational(-this.num, this.den);
  }

  abs(): Rational {
    return this.num < 0n ? this.neg() : this;
  }

  cmp(o: Rational): number {
    const d = this.num * o.den - o.num * this.den;
    return d === 0n ? 0 : d < 0n ? -1 : 1;
  }

  /** Integer power; a negative exponent inverts (RangeError for 0 to a negative power). */
  pow(exponent: bigint): Rational {
    if (exponent < 0n) return Rational.one.div(this.pow(-exponent));
    return Rational.of(this.num ** exponent, this.den ** exponent);
  }

  floor(): Rational {
    const q = this.num / this.den;
    return Rational.of(this.num < 0n && q * this.den !== this.num ? q - 1n : q);
  }

  ceil(): Rational {
    return this.neg().floor().neg();
  }

  /** Rounds half away from zero (2.5 → 3, -2.5 → -3). */
  round(): Rational {
    const half = Rational.of(1n, 2n);
    return this.sign < 0 ? this.neg().add(half).floor().neg() : this.add(half).floor();
  }

  /** Floored modulo: the result has the divisor's sign (-7 % 3 = 2). */
  mod(o: Rational): Rational {
    return this.sub(o.mul(this.div(o).floor()));
  }

  /** The nearest double, also for numerators and denominators beyond 2^1024. */
  toNumber(): number {
    const negative = this.num < 0n;
    const n = negative ? -this.num : this.num;
    if (n === 0n) return 0;
    const shift = 64 - (bitLength(n) - bitLength(this.den));
    const q = shift >= 0 ? (n << BigInt(shift)) / this.den : n / (this.den << BigInt(-shift));
    const x = Number(q) * 2 ** -shift;
    return negative ? -x : x;
  }

  /** The exact decimal expansion when it terminates within `maxDigits` fraction digits, else undefined. */
  toDecimal(maxDigits = 40): string | undefined {
    // 2^a * 5^b with a, b <= maxDigits is at most 10^maxDigits: a bigger denominator needs more digits
    // (checked first, as stripping thousands of factors one division at a time takes long).
    if (this.den > 10n ** BigInt(maxDigits)) return undefined;
    let d = this.den;
    let twos = 0;
    let fives = 0;
    for (; d % 2n === 0n; twos++) d /= 2n;
    for (; d % 5n === 0n; fives++) d /= 5n;
    if (d !== 1n) return undefined;
    const digits = Math.max(twos, fives);
    if (digits > maxDigits) return undefined;
    const n = this.num < 0n ? -this.num : this.num;
    const scaled = (n * 10n ** BigInt(digits)) / this.den;
    const text = scaled.toString().padStart(digits + 1, "0");
    const whole = text.slice(0, text.length - digits);
    const fraction = digits ? `.${text.slice(text.length - digits)}` : "";
    return `${this.num < 0n ? "-" : ""}${whole}${fraction}`;
  }

  toString(): string {
    return this.den === 1n ? this.num.toString() : `${this.num}/${this.den}`;
  }
}

export function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function bitLength(n: bigint): number {
  return n === 0n ? 0 : (n < 0n ? -n : n).toString(2).length;
}

/** The exact integer k-th root of n >= 0, or undefined when n is not a perfect k-th power. */
export function exactRoot(n: bigint, k: number): bigint | undefined {
  if (n < 0n) return undefined;
  if (n < 2n) return n;
  const K = BigInt(k);
  // Newton's method from an upper bound, on integers.
  let x = 1n << BigInt(Math.ceil(bitLength(n) / k));
  for (;;) {
    const y = ((K - 1n) * x + n / x ** (K - 1n)) / K;
    if (y >= x) break;
    x = y;
  }
  return x ** K === n ? x : undefined;
}
