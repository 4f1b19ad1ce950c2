import type { z } from "zod";
import { isLM } from "../core/is-lm.ts";

interface Printable {
  name: string;
  options: z.ZodType;
}

/**
 * `name(key=value, ...)` with only the options that differ from their defaults, in the schema's
 * key order: the canonical text form the spec language parses back to the same technique.
 */
export function formatTechnique(definition: Printable, options: Record<string, unknown>): string {
  const defaults = (definition.options.safeParse({}).data ?? {}) as Record<string, unknown>;
  const parts: string[] = [];
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || sameValue(value, defaults[key])) continue;
    parts.push(`${key}=${formatValue(value)}`);
  }
  return parts.length ? `${definition.name}(${parts.join(", ")})` : definition.name;
}

export function formatValue(value: unknown): string {
  // An LM prints as its spec, quoted when it is more than a bare word (e.g. a technique over a model).
  if (isLM(value)) return formatValue(value.id);
  if (typeof value === "function") return value.name ? `<fn ${value.name}>` : "<fn>";
  if (Array.isArray(value)) return `[${value.map(formatValue).join(", ")}]`;
  if (typeof value === "string")
    return /^[\w.:/\-+*]+$/.test(value) && !/^(true|false|null|[+-]?\.?\d)/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "function" || typeof b === "function") return false;
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false;
  }
}

/** A model id after `@`: the rest of the spec is the model, so only edge spaces and a leading quote need quotes. */
export function formatModelId(id: string): string {
  return id === "" || /^\s|\s$|^["']/.test(id) ? JSON.stringify(id) : id;
}
