import type { SpecValue, SpecValueSource } from "./spec-ast.ts";
import type { SpecReader } from "./spec-reader.ts";

/** Characters of an unquoted value: model specs and paths (`openai:gpt-4o`, `./m.gguf`) need `:` `/` `.` `@`. */
export const BARE_CHAR = /[^\s,()[\]{}="'<>;]/;
/** Lists and objects nest at most this deep (a spec is read by recursion; deeper is a clear error, not a stack overflow). */
export const MAX_VALUE_DEPTH = 32;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * One value at the cursor: a quoted string, a list `[a, b]`, a JSON object `{"k": v}`, or a bare
 * word read as a number, boolean, null or string.
 */
export function parseSpecValue(reader: SpecReader, keyOffset: number): { value: SpecValue; source: SpecValueSource } {
  reader.skipSpace();
  const offset = reader.pos;
  const value = readValue(reader, 0);
  const raw = reader.text.slice(offset, reader.pos);
  const bare = !/^["'[{]/.test(raw);
  return { value, source: { offset, keyOffset, raw, bare } };
}

function readValue(reader: SpecReader, depth: number): SpecValue {
  reader.skipSpace();
  const c = reader.peek();
  if (c === '"' || c === "'") return reader.readQuoted();
  if ((c === "[" || c === "{") && depth >= MAX_VALUE_DEPTH)
    reader.fail(`lists and objects nest at most ${MAX_VALUE_DEPTH} deep in a spec`);
  if (c === "[") return readList(reader, depth + 1);
  if (c === "{") return readObject(reader, depth + 1);
  const start = reader.pos;
  const word = reader.readWhile(BARE_CHAR);
  if (!word) reader.fail(`expected a value, found ${reader.describeHere()}`);
  if (reader.peek() === "(")
    reader.fail(
      `a value cannot contain "(": quote it, e.g. "${word}(...)" (a technique used as a model is written in quotes)`,
    );
  if (word === "true") return true;
  if (word === "false") return false;
  if (word === "null") return null;
  if (NUMBER.test(word)) {
    const n = Number(word);
    if (!Number.isFinite(n)) reader.fail(`number out of range: ${word}`, start);
    return n;
  }
  return word;
}

function readList(reader: SpecReader, depth: number): SpecValue[] {
  const open = reader.pos;
  reader.pos++;
  const items: SpecValue[] = [];
  for (;;) {
    reader.skipSpace();
    if (reader.atEnd()) reader.fail('unclosed list: no "]"', open);
    if (reader.peek() === "]") break;
    items.push(readValue(reader, depth));
    reader.skipSpace();
    if (reader.peek() === ",") reader.pos++;
    else if (reader.peek() !== "]") reader.fail(`expected "," or "]" in a list, found ${reader.describeHere()}`);
  }
  reader.pos++;
  return items;
}

/** JSON-style objects only (quoted keys), so that `{a, b}` stays free for sweeps. */
function readObject(reader: SpecReader, depth: number): { [key: string]: SpecValue } {
  const open = reader.pos;
  reader.pos++;
  const out: { [key: string]: SpecValue } = {};
  for (;;) {
    reader.skipSpace();
    if (reader.atEnd()) reader.fail('unclosed object: no "}"', open);
    if (reader.peek() === "}") break;
    if (reader.peek() !== '"' && reader.peek() !== "'")
      reader.fail(
        `sweep braces like {1,2,4} must be expanded first (lmx eval does); an object needs quoted keys: {"key": value}`,
        open,
      );
    const key = reader.readQuoted();
    reader.expect(":", `after the object key "${key}"`);
    setOwn(out, key, readValue(reader, depth));
    reader.skipSpace();
    if (reader.peek() === ",") reader.pos++;
    else if (reader.peek() !== "}") reader.fail(`expected "," or "}" in an object, found ${reader.describeHere()}`);
  }
  reader.pos++;
  return out;
}

/** Sets an own property even for keys like `__proto__`, which plain assignment would turn into a prototype. */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
