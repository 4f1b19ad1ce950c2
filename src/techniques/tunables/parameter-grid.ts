import type { ParameterInfo } from "../spec/technique-parameters.ts";

/** Counts worth comparing (samples, rounds, reads, demos): small, spread out, cheap first. */
const LADDER = [1, 3, 5, 8];

/**
 * The values worth trying for one technique parameter, from what the registry says about it:
 * enums → every value, booleans → both, integers → {1, 3, 5, 8} and the default, clipped to the
 * range, numbers with both bounds → the quartiles and the default. Models, free text and resource
 * limits (`*_ms`, `*_mb`) are not tuned: undefined.
 */
export function parameterGrid(info: ParameterInfo): unknown[] | undefined {
  if (info.model || /_(ms|mb)$/.test(info.name)) return undefined;
  if (info.values) {
    const values = info.values.filter((v) => v !== null && typeof v !== "object");
    return values.length >= 2 ? values : undefined;
  }
  const types = info.type.split(" | ").map((t) => t.trim());
  if (types.length === 1 && types[0] === "boolean") return [false, true];
  if (types.includes("integer")) return integerGrid(info);
  if (types.includes("number")) return numberGrid(info);
  return undefined;
}

function integerGrid(info: ParameterInfo): number[] | undefined {
  const lo = info.minimum ?? -Infinity;
  const hi = info.maximum ?? Infinity;
  const fallback = typeof info.default === "number" ? [info.default] : [];
  const inRange = (x: number) => x >= lo && x <= hi;
  const values = new Set([...LADDER, ...fallback].filter(inRange));
  if (values.size < 2) for (const x of [lo, hi]) if (Number.isFinite(x)) values.add(x);
  return values.size >= 2 ? [...values].sort((a, b) => a - b) : undefined;
}

function numberGrid(info: ParameterInfo): number[] | undefined {
  const { minimum: lo, maximum: hi } = info;
  if (lo === undefined || hi === undefined || !(hi > lo)) return undefined;
  // Interior points only: the schema may exclude its bounds (0 < threshold < 1).
  const values = new Set([0.25, 0.5, 0.75].map((f) => Math.round((lo + f * (hi - lo)) * 100) / 100));
  if (typeof info.default === "number") values.add(info.default);
  return [...values].sort((a, b) => a - b);
}
