import { parsePythonLiteral, type PyValue } from "./python-literal.ts";

/*
 * Python/JSON literals compare as Python compares them with ==: 'a' = "a", True = true, None = null,
 * [1, 2] = [1,2], 1.0 = 1, dict key order and set order do not matter. Kept distinct, as in Python:
 * tuples and lists ((1, 2) ≠ [1, 2]), strings and bytes, and (unlike Python) True and 1.
 */

/** The canonical form of a literal span (code fences allowed), or undefined when it does not parse. */
export function canonicalLiteral(span: string): string | undefined {
  const fenced = /^```[\w-]*\s*\n?([\s\S]*?)\n?```$/.exec(span.trim());
  const text = (fenced ? fenced[1]! : span).trim();
  if (!text) return undefined;
  try {
    return formatValue(parsePythonLiteral(text));
  } catch {
    return undefined;
  }
}

/** Whether a text is one Python/JSON literal. */
export function isLiteral(text: string): boolean {
  return canonicalLiteral(text) !== undefined;
}

function formatValue(v: PyValue): string {
  switch (v.t) {
    case "none":
      return "None";
    case "bool":
      return v.v ? "True" : "False";
    case "int":
      return v.v.toString();
    case "float":
      if (Number.isNaN(v.v)) return "nan";
      if (!Number.isFinite(v.v)) return v.v > 0 ? "inf" : "-inf";
      return Number.isInteger(v.v) ? BigInt(v.v).toString() : String(v.v);
    case "str":
      return JSON.stringify(v.v);
    case "bytes":
      return `b${JSON.stringify(v.v)}`;
    case "list":
      return `[${v.items.map(formatValue).join(", ")}]`;
    case "tuple":
      return v.items.length === 1 ? `(${formatValue(v.items[0]!)},)` : `(${v.items.map(formatValue).join(", ")})`;
    case "set": {
      const items = [...new Set(v.items.map(formatValue))].sort();
      return items.length ? `{${items.join(", ")}}` : "set()";
    }
    case "dict": {
      // Later duplicate keys win, as in Python; order is irrelevant to equality, so sort.
      const entries = new Map(v.entries.map(([k, value]) => [formatValue(k), formatValue(value)]));
      return `{${[...entries]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, value]) => `${k}: ${value}`)
        .join(", ")}}`;
    }
  }
}
