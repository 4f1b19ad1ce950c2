import { isLM } from "../../core/is-lm.ts";
import { z } from "zod";
import { optionTrust, type OptionTrust } from "./option-trust.ts";

/** One option of a technique, as `lmx techniques`, error messages and the tuner show it. */
export interface ParameterInfo {
  name: string;
  /** "integer", "number", "string", "boolean", "model", "model[]", "string[]", "integer | null", "any"...; "custom" is a value only code can pass (a function). */
  type: string;
  /** The value used when the option is not given (absent when there is none). */
  default?: unknown;
  hasDefault: boolean;
  description?: string;
  /** The allowed values in words: "1 to 64", "one of: fast, slow", ">= 0". */
  allowed?: string;
  /** The finite set of allowed values (enums and literals), when there is one. */
  values?: unknown[];
  minimum?: number;
  maximum?: number;
  /** The value is an LM, written as a model spec. */
  model: boolean;
  /** Who may set it from an untrusted request (`lmx serve`); declared next to the option's schema. */
  trust?: OptionTrust;
}

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  description?: string;
};

/**
 * The parameters of a technique's zod 4 options schema, in schema order: types, ranges and enums come
 * from `z.toJSONSchema` (input side, so defaulted keys count as optional), defaults from parsing `{}`.
 */
export function techniqueParameters(definition: {
  options: z.ZodType;
  modelOptions?: readonly string[];
}): ParameterInfo[] {
  const shape = objectShape(definition.options);
  const defaults = (definition.options.safeParse({}).data ?? {}) as Record<string, unknown>;
  return Object.entries(shape).map(([name, field]) => {
    const json = jsonSchemaOf(field);
    const model = definition.modelOptions?.includes(name) ?? false;
    const fieldDefault = Object.hasOwn(defaults, name) ? defaults[name] : field.safeParse(undefined).data;
    const values = valuesOf(json);
    const bounds = boundsOf(json);
    const info: ParameterInfo = {
      name,
      type: model ? (isList(json, fieldDefault) ? "model[]" : "model") : typeOf(json),
      hasDefault: fieldDefault !== undefined,
      model,
      ...bounds,
    };
    const trust = optionTrust(field);
    if (trust) info.trust = trust;
    if (fieldDefault !== undefined) info.default = fieldDefault;
    const description = field.description ?? json.description;
    if (description) info.description = description;
    if (values) info.values = values;
    const allowed = model ? undefined : allowedText(json, values, bounds);
    if (allowed) info.allowed = allowed;
    return info;
  });
}

/** The key → schema map of an object schema, looking through pipes, defaults and other wrappers. */
export function objectShape(schema: z.ZodType): Record<string, z.ZodType> {
  const def = schema._zod.def as unknown as {
    type: string;
    shape?: Record<string, z.ZodType>;
    in?: z.ZodType;
    innerType?: z.ZodType;
  };
  if (def.type === "object" && def.shape) return def.shape;
  if (def.type === "pipe" && def.in) return objectShape(def.in);
  if (def.innerType) return objectShape(def.innerType);
  return {};
}

function jsonSchemaOf(field: z.ZodType): JsonSchema {
  try {
    return z.toJSONSchema(field, { io: "input", unrepresentable: "any" }) as JsonSchema;
  } catch {
    // Schemas JSON Schema cannot express (cycles, exotic customs) still get a row, typed "any".
    return {};
  }
}

function variants(json: JsonSchema): JsonSchema[] {
  const union = json.anyOf ?? json.oneOf;
  return union ? union.flatMap(variants) : [json];
}

/** A schema JSON Schema could not express (z.custom, functions): settable from code only. */
function opaque(v: JsonSchema): boolean {
  return Object.keys(v).every((k) => k === "description" || k === "default" || k === "$schema");
}

function typeOf(json: JsonSchema): string {
  const all = variants(json);
  const names = all.map((v) => {
    if (opaque(v)) return all.length > 1 ? "custom" : "any";
    if (v.const !== undefined)
      return v.const === null
        ? "null"
        : typeof v.const === "number" && Number.isInteger(v.const)
          ? "integer"
          : typeof v.const;
    if (v.enum) return v.enum.every((x) => typeof x === "string") ? "string" : "any";
    if (Array.isArray(v.type)) return v.type.join(" | ");
    if (v.type === "array") return `${v.items ? typeOf(v.items) : "any"}[]`;
    return v.type ?? "any";
  });
  return [...new Set(names)].join(" | ");
}

/** The JSON types a parameter accepts, for coercing spec values ("integer" accepts numbers too). */
export function acceptedTypes(info: ParameterInfo): Set<string> {
  const types = new Set(info.type.split(" | ").map((t) => t.trim()));
  if (types.has("integer")) types.add("number");
  return types;
}

function valuesOf(json: JsonSchema): unknown[] | undefined {
  const out: unknown[] = [];
  for (const v of variants(json)) {
    if (opaque(v)) continue;
    if (v.const !== undefined) out.push(v.const);
    else if (v.enum) out.push(...v.enum);
    else if (v.type === "null") out.push(null);
    else return undefined;
  }
  return out.length ? out : undefined;
}

/** The numeric variant, without the ±2^53 bounds zod gives every `.int()` (they say nothing to a user). */
function numberVariant(json: JsonSchema): JsonSchema | undefined {
  const v = variants(json).find((x) => x.type === "number" || x.type === "integer");
  if (!v) return undefined;
  const out = { ...v };
  for (const key of ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] as const)
    if (out[key] !== undefined && Math.abs(out[key]) >= Number.MAX_SAFE_INTEGER) delete out[key];
  return out;
}

function boundsOf(json: JsonSchema): { minimum?: number; maximum?: number } {
  const v = numberVariant(json);
  if (!v) return {};
  const out: { minimum?: number; maximum?: number } = {};
  const min = v.minimum ?? v.exclusiveMinimum;
  const max = v.maximum ?? v.exclusiveMaximum;
  if (min !== undefined && Number.isFinite(min)) out.minimum = min;
  if (max !== undefined && Number.isFinite(max)) out.maximum = max;
  return out;
}

function allowedText(
  json: JsonSchema,
  values: unknown[] | undefined,
  bounds: { minimum?: number; maximum?: number },
): string | undefined {
  if (values) return `one of: ${values.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join(", ")}`;
  const v = numberVariant(json);
  if (v) {
    const low =
      v.exclusiveMinimum !== undefined
        ? `> ${v.exclusiveMinimum}`
        : v.minimum !== undefined
          ? `>= ${v.minimum}`
          : undefined;
    const high =
      v.exclusiveMaximum !== undefined
        ? `< ${v.exclusiveMaximum}`
        : v.maximum !== undefined
          ? `<= ${v.maximum}`
          : undefined;
    if (
      v.minimum !== undefined &&
      v.maximum !== undefined &&
      v.exclusiveMinimum === undefined &&
      v.exclusiveMaximum === undefined
    )
      return `${v.minimum} to ${v.maximum}`;
    if (low || high) return [low, high].filter(Boolean).join(" and ");
  }
  const s = variants(json).find((x) => x.type === "string");
  if (s?.minLength) return s.minLength === 1 ? "non-empty" : `at least ${s.minLength} characters`;
  return undefined;
}

function isList(json: JsonSchema, fallback: unknown): boolean {
  return Array.isArray(fallback) || variants(json).some((v) => v.type === "array");
}

/** `integer, 1 to 64 (default 5)`: what a parameter accepts, for error messages. */
export function parameterAllowed(info: ParameterInfo): string {
  return `${info.type}${info.allowed ? `, ${info.allowed}` : ""}${info.hasDefault ? ` (default ${shortValue(info.default)})` : ""}`;
}

/** `n=5 (integer, 1 to 64)`: one parameter in one line, for error messages. */
export function parameterSummary(info: ParameterInfo): string {
  const head = info.hasDefault ? `${info.name}=${shortValue(info.default)}` : info.name;
  return `${head} (${info.type}${info.allowed ? `, ${info.allowed}` : ""})`;
}

function shortValue(value: unknown): string {
  if (isLM(value)) return value.id;
  const text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
