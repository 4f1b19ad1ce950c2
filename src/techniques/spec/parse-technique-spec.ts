import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import type { SpecValue, SpecValueSource, TechniqueCall, TechniqueSpecAst } from "./spec-ast.ts";
import { parseSpecValue, setOwn } from "./parse-spec-value.ts";
import { SpecReader } from "./spec-reader.ts";

const NAME_START = /[A-Za-z]/;
const NAME_CHAR = /[A-Za-z0-9_-]/;

/**
 * The syntax of an LM spec, without looking anything up:
 * `name`, `name(key=value, ...)`, chains outermost first `a(n=5) > b`, an optional `@MODEL` at the end,
 * or just a model (`openai:gpt-4o-mini`, `llama:./m.gguf`). Syntax errors are InvalidRequestErrors
 * with the column and a caret line.
 */
export function parseTechniqueSpec(text: string): TechniqueSpecAst {
  if (typeof text !== "string")
    throw new InvalidRequestError("a technique spec must be a string", { param: "technique" });
  const reader = new SpecReader(text);
  reader.skipSpace();
  if (reader.atEnd())
    reader.fail(
      "the spec is empty: write techniques (self-consistency(n=5)), a model (openai:gpt-4o-mini) or both (TECHNIQUES@MODEL)",
    );
  if (startsModel(reader)) return { text, techniques: [], ...readModel(reader) };

  const techniques: TechniqueCall[] = [];
  for (;;) {
    techniques.push(readCall(reader));
    reader.skipSpace();
    if (reader.peek() !== ">") break;
    reader.pos++;
    reader.skipSpace();
  }
  if (reader.peek() === "@") {
    reader.pos++;
    return { text, techniques, ...readModel(reader) };
  }
  if (!reader.atEnd())
    reader.fail(`expected ">" (another technique), "@" (the model) or the end, found ${reader.describeHere()}`);
  return { text, techniques };
}

/** A model, not a technique name, starts here: a quote, a path, or `provider:` / `dir/` / `file.`. */
function startsModel(reader: SpecReader): boolean {
  const c = reader.peek();
  if (c === '"' || c === "'") return true;
  if (/[(),=>@[\]{}]/.test(c)) reader.fail(`expected a technique name or a model, found "${c}"`);
  if (!NAME_START.test(c)) return true;
  let i = reader.pos;
  while (NAME_CHAR.test(reader.text[i] ?? "")) i++;
  return /[:/\\.]/.test(reader.text[i] ?? "");
}

/** The model is the rest of the spec (so paths may hold spaces), or one quoted string. */
function readModel(reader: SpecReader): { model: string; modelOffset: number } {
  reader.skipSpace();
  const modelOffset = reader.pos;
  if (reader.peek() === '"' || reader.peek() === "'") {
    const model = reader.readQuoted();
    reader.skipSpace();
    if (!reader.atEnd()) reader.fail(`nothing may follow the quoted model, found ${reader.describeHere()}`);
    if (!model) reader.fail("the model is empty", modelOffset);
    return { model, modelOffset };
  }
  const model = reader.text.slice(reader.pos).trim();
  if (!model) reader.fail('expected a model after "@", e.g. @openai:gpt-4o-mini');
  reader.pos = reader.text.length;
  return { model, modelOffset };
}

function readCall(reader: SpecReader): TechniqueCall {
  const offset = reader.pos;
  if (!NAME_START.test(reader.peek())) reader.fail(`expected a technique name, found ${reader.describeHere()}`);
  const name = reader.readWhile(NAME_CHAR);
  if (/[:/\\.]/.test(reader.peek()))
    reader.fail(
      `"${name}${reader.peek()}..." looks like a model: a model goes last, after "@" (TECHNIQUES@MODEL)`,
      offset,
    );
  const params: Record<string, SpecValue> = {};
  const sources: Record<string, SpecValueSource> = {};
  reader.skipSpace();
  if (reader.peek() === "(") readParams(reader, params, sources);
  return { name, params, offset, sources };
}

function readParams(
  reader: SpecReader,
  params: Record<string, SpecValue>,
  sources: Record<string, SpecValueSource>,
): void {
  const open = reader.pos;
  reader.pos++;
  for (;;) {
    reader.skipSpace();
    if (reader.atEnd()) reader.fail('unclosed "(": no ")"', open);
    if (reader.peek() === ")") break;
    const keyOffset = reader.pos;
    const key = reader.readWhile(NAME_CHAR);
    if (!key) reader.fail(`expected a parameter name, found ${reader.describeHere()}`);
    if (Object.hasOwn(sources, key)) reader.fail(`parameter "${key}" is given twice`, keyOffset);
    reader.expect("=", `after the parameter name "${key}"`);
    const { value, source } = parseSpecValue(reader, keyOffset);
    setOwn(params, key, value);
    setOwn(sources, key, source);
    reader.skipSpace();
    if (reader.peek() === ",") reader.pos++;
    else if (reader.peek() !== ")" && !reader.atEnd())
      reader.fail(`expected "," or ")" after the value of "${key}", found ${reader.describeHere()}`);
  }
  reader.pos++;
}
