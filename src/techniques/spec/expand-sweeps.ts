import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { SpecReader } from "./spec-reader.ts";

/** More specs than this from one sweep is almost surely a mistake (and would take days to evaluate). */
const MAX_SPECS = 10_000;

/**
 * Expands sweep braces for `lmx eval`: `self-consistency(n={1,2,4})@m` → one spec per alternative,
 * the cartesian product over every brace in the text (the first brace varies slowest). Commas inside
 * quotes, brackets, parentheses and nested braces do not split; `{"key": v}` objects are left alone.
 */
export function expandSweeps(text: string): string[] {
  const out: string[] = [];
  expandInto(text, out);
  return out;
}

function expandInto(text: string, out: string[]): void {
  const sweep = findSweep(text);
  if (!sweep) {
    out.push(text);
    return;
  }
  for (const alternative of sweep.alternatives) {
    expandInto(text.slice(0, sweep.start) + alternative + text.slice(sweep.end), out);
    if (out.length > MAX_SPECS)
      throw new InvalidRequestError(`the sweep expands to more than ${MAX_SPECS} specs`, { param: "technique" });
  }
}

function findSweep(text: string): { start: number; end: number; alternatives: string[] } | undefined {
  const reader = new SpecReader(text);
  while (!reader.atEnd()) {
    const c = reader.peek();
    if (c === '"' || c === "'") {
      reader.readQuoted();
      continue;
    }
    if (c === "{") {
      const start = reader.pos;
      const object = isObjectLiteral(text, start);
      const alternatives = readGroup(reader, !object);
      if (!object) return { start, end: reader.pos, alternatives };
      continue;
    }
    reader.pos++;
  }
  return undefined;
}

/** The comma-separated parts of the `{...}` group at the cursor (checked when `sweep`), leaving the cursor after its `}`. */
function readGroup(reader: SpecReader, sweep: boolean): string[] {
  const open = reader.pos;
  reader.pos++;
  let depth = 0;
  let partStart = reader.pos;
  const parts: string[] = [];
  const take = () => {
    const part = reader.text.slice(partStart, reader.pos).trim();
    if (!part && sweep) reader.fail("empty alternative in a sweep: write {a,b,c}", partStart);
    parts.push(part);
  };
  for (;;) {
    if (reader.atEnd()) reader.fail('unclosed sweep "{": no "}"', open);
    const c = reader.peek();
    if (c === '"' || c === "'") {
      reader.readQuoted();
      continue;
    }
    if (c === "{" || c === "[" || c === "(") depth++;
    else if (c === "}" && depth === 0) {
      take();
      reader.pos++;
      return parts;
    } else if (c === "}" || c === "]" || c === ")") depth--;
    else if (c === "," && depth === 0) {
      take();
      partStart = reader.pos + 1;
    }
    reader.pos++;
  }
}

/** `{}` and `{"key": ...}` are JSON objects (parameter values), not sweeps. */
function isObjectLiteral(text: string, start: number): boolean {
  const reader = new SpecReader(text);
  reader.pos = start + 1;
  reader.skipSpace();
  if (reader.peek() === "}") return true;
  if (reader.peek() !== '"' && reader.peek() !== "'") return false;
  try {
    reader.readQuoted();
  } catch {
    return false;
  }
  reader.skipSpace();
  return reader.peek() === ":";
}
