import { Rational } from "./rational.ts";

/** A calculator value: exact while only rational operations are involved, a double after that. */
export type CalcValue = { exact: true; q: Rational } | { exact: false; x: number };

/** Exact values beyond this many bits (about 30,000 digits) are refused rather than computed. */
export const MAX_BITS = 100_000;

export const exact = (q: Rational): CalcValue => ({ exact: true, q });
export const approx = (x: number): CalcValue => ({ exact: false, x });

export function toNumber(v: CalcValue): number {
  return v.exact ? v.q.toNumber() : v.x;
}

/**
 * Text for a value: integers and terminating decimals exactly ("0.3", "1267650600228229401496703205376"),
 * other fractions as `p/q ≈ decimal`, doubles to 15 significant digits (hiding binary noise).
 */
export function formatValue(v: CalcValue): string {
  if (!v.exact) return formatDouble(v.x);
  const decimal = v.q.toDecimal();
  if (decimal !== undefined) return decimal;
  return `${v.q.toString()} ≈ ${formatDouble(v.q.toNumber())}`;
}

function formatDouble(x: number): string {
  if (Object.is(x, -0)) return "0";
  const text = String(Number(x.toPrecision(15)));
  return text;
}
