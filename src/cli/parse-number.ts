import { InvalidArgumentError } from "commander";

/** commander argument parsers that reject junk instead of passing NaN along. */
export function parseNumberArg(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new InvalidArgumentError(`"${value}" is not a number`);
  return n;
}

export function parseIntArg(value: string): number {
  const n = parseNumberArg(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`"${value}" is not a whole number >= 0`);
  return n;
}

/** A parser for a number within [min, max] (e.g. --temperature, checked as the proxy checks it). */
export function parseRangeArg(range: { min: number; max: number }): (value: string) => number {
  return (value) => {
    const n = parseNumberArg(value);
    if (n < range.min || n > range.max)
      throw new InvalidArgumentError(`${value} is out of range: it must be between ${range.min} and ${range.max}`);
    return n;
  };
}

/** A whole number >= 1 (token limits: 0 tokens is no answer at all). */
export function parsePositiveIntArg(value: string): number {
  const n = parseIntArg(value);
  if (n < 1) throw new InvalidArgumentError(`"${value}" must be at least 1`);
  return n;
}
