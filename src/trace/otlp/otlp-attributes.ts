/** An OTLP `AnyValue` in the JSON encoding. */
export type OtlpValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: OtlpValue[] } };

export interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}

/**
 * A JS value as an OTLP value: integers as int64 strings (the protobuf JSON mapping), other numbers
 * as doubles, arrays of scalars as arrays, objects as JSON text. Undefined and null are left out.
 */
export function otlpValue(value: unknown): OtlpValue | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  if (typeof value === "number")
    return Number.isSafeInteger(value)
      ? { intValue: String(value) }
      : Number.isFinite(value)
        ? { doubleValue: value }
        : { stringValue: String(value) };
  if (typeof value === "bigint") return { intValue: value.toString() };
  if (Array.isArray(value) && value.every((v) => v === null || ["string", "number", "boolean"].includes(typeof v)))
    return { arrayValue: { values: value.map(otlpValue).filter((v): v is OtlpValue => v !== undefined) } };
  return { stringValue: JSON.stringify(value) };
}

/** `{key: value}` as an OTLP attribute list, skipping empty values. */
export function otlpAttributes(record: Record<string, unknown>): OtlpAttribute[] {
  const out: OtlpAttribute[] = [];
  for (const [key, raw] of Object.entries(record)) {
    const value = otlpValue(raw);
    if (value !== undefined) out.push({ key, value });
  }
  return out;
}
