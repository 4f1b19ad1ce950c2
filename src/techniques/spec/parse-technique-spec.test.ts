import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { parseTechniqueSpec } from "./parse-technique-spec.ts";

/** The parse error for `text`, asserting it is an InvalidRequestError. */
function syntaxError(text: string): InvalidRequestError {
  try {
    parseTechniqueSpec(text);
  } catch (error) {
    assert.ok(InvalidRequestError.isInstance(error), `expected an InvalidRequestError, got ${String(error)}`);
    return error;
  }
  assert.fail(`"${text}" parsed without an error`);
}

/** The caret line's caret column (1-based) under the echoed spec line. */
function caretColumn(error: Error): number {
  const lines = error.message.split("\n");
  const caret = lines.at(-1)!;
  assert.match(caret, /^ +\^$/);
  return caret.length - 2;
}

test("a bare name and a name with every kind of value", () => {
  assert.deepEqual(
    parseTechniqueSpec("self-consistency").techniques.map((t) => [t.name, t.params]),
    [["self-consistency", {}]],
  );
  const text =
    `x(n=5, t=0.7, e=-1.5e-3, plus=+2, yes=true, no=false, none=null, word=gpt-4o, m=openai:gpt-4o, ` +
    `p=llama:./models/x.gguf, r=replay:../shared/replay/x.bank.jsonl, list=[1, two, "three", [4]], s="a \\"q\\"\\n\\u00e9", q='it\\'s', w={"k": [1, 2]})`;
  const ast = parseTechniqueSpec(text);
  assert.deepEqual(ast.techniques[0]!.params, {
    n: 5,
    t: 0.7,
    e: -0.0015,
    plus: 2,
    yes: true,
    no: false,
    none: null,
    word: "gpt-4o",
    m: "openai:gpt-4o",
    p: "llama:./models/x.gguf",
    r: "replay:../shared/replay/x.bank.jsonl",
    list: [1, "two", "three", [4]],
    s: 'a "q"\né',
    q: "it's",
    w: { k: [1, 2] },
  });
  assert.equal(ast.model, undefined);
  assert.deepEqual(ast.techniques[0]!.sources.word, {
    offset: text.indexOf("word=") + 5,
    keyOffset: text.indexOf("word="),
    raw: "gpt-4o",
    bare: true,
  });
  assert.equal(ast.techniques[0]!.sources.s!.bare, false);
});

test("chains are outermost first and the model after @ is everything that follows", () => {
  const ast = parseTechniqueSpec(" self-consistency(n=5) >self-refine( rounds = 2 , ) @ llama:./my models/q4.gguf ");
  assert.deepEqual(
    ast.techniques.map((t) => [t.name, t.params]),
    [
      ["self-consistency", { n: 5 }],
      ["self-refine", { rounds: 2 }],
    ],
  );
  assert.equal(ast.model, "llama:./my models/q4.gguf");
  assert.equal(parseTechniqueSpec(`a@"quoted model"`).model, "quoted model");
});

test("a spec that is only a model has no techniques", () => {
  for (const model of [
    "openai:gpt-4o-mini",
    "llama:./models/x.gguf",
    "./models/x.gguf",
    "replay:../shared/replay/a.bank.jsonl",
    "7b:local",
  ]) {
    const ast = parseTechniqueSpec(model);
    assert.deepEqual(ast.techniques, [], model);
    assert.equal(ast.model, model);
  }
  assert.equal(parseTechniqueSpec(`"models/my model.gguf"`).model, "models/my model.gguf");
});

test("parameter names like __proto__ stay plain keys", () => {
  const params = parseTechniqueSpec(`x(__proto__=1)`).techniques[0]!.params;
  assert.equal(Object.getPrototypeOf(params), Object.prototype);
  assert.deepEqual(Object.keys(params), ["__proto__"]);
});

test("syntax errors name the problem and put a caret under it", () => {
  const cases: [string, RegExp, number][] = [
    ["vote(n 5)", /expected "=" after the parameter name "n", found "5"/, 8],
    ["vote(n=5", /unclosed "\(": no "\)"/, 5],
    [`vote(p="abc)`, /unterminated string: no closing "/, 8],
    ["vote(n=5 m=2)", /expected "," or "\)" after the value of "n", found "m"/, 10],
    ["vote(n=)", /expected a value, found "\)"/, 8],
    ["vote(n=[1, 2)", /expected "," or "]" in a list/, 13],
    ["vote(n=1, n=2)", /parameter "n" is given twice/, 11],
    ["vote > scripted:x", /looks like a model: a model goes last, after "@"/, 8],
    ["vote@", /expected a model after "@"/, 6],
    ["vote(n=5) refine", /expected ">" \(another technique\), "@" \(the model\) or the end, found "r"/, 11],
    ["vote > > refine", /expected a technique name, found ">"/, 8],
    ["vote(n={1,2})", /sweep braces like \{1,2,4\} must be expanded first/, 8],
    [`vote(p="a\\qb")`, /unknown escape "\\q"/, 10],
    ["vote(judge=self-consistency(n=3))", /quote it/, 28],
    ["(n=5)", /expected a technique name or a model, found "\("/, 1],
  ];
  for (const [text, pattern, column] of cases) {
    const error = syntaxError(text);
    assert.match(error.message, pattern, text);
    assert.match(error.message, new RegExp(`at column ${column}\\)`), `${text}: ${error.message}`);
    assert.equal(error.message.split("\n")[1], `  ${text}`);
    assert.equal(caretColumn(error), column, text);
  }
  assert.match(syntaxError("   ").message, /the spec is empty/);
});

test("errors in multi-line specs say the line", () => {
  const error = syntaxError("vote(n=5,\n  m 3)");
  assert.match(error.message, /at line 2, column 5\)/);
  assert.equal(error.message.split("\n")[1], "    m 3)");
  assert.equal(caretColumn(error), 5);
});
