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
