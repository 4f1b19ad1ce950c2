import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidRequestError } from "../../core/errors/invalid-request-error.ts";
import { expandSweeps } from "./expand-sweeps.ts";
import { parseTechniqueSpec } from "./parse-technique-spec.ts";

test("one brace gives one spec per alternative, in order", () => {
  assert.deepEqual(expandSweeps("self-consistency(n={1,2,4,8,16})@openai:gpt-4o-mini"), [
    "self-consistency(n=1)@openai:gpt-4o-mini",
    "self-consistency(n=2)@openai:gpt-4o-mini",
    "self-consistency(n=4)@openai:gpt-4o-mini",
    "self-consistency(n=8)@openai:gpt-4o-mini",
    "self-consistency(n=16)@openai:gpt-4o-mini",
  ]);
});

test("several braces give the cartesian product, the first varying slowest", () => {
  assert.deepEqual(expandSweeps("sc(n={1, 2}) > refine(rounds={0,1,2})@{openai:a,llama:./b.gguf}"), [
    "sc(n=1) > refine(rounds=0)@openai:a",
    "sc(n=1) > refine(rounds=0)@llama:./b.gguf",
    "sc(n=1) > refine(rounds=1)@openai:a",
    "sc(n=1) > refine(rounds=1)@llama:./b.gguf",
    "sc(n=1) > refine(rounds=2)@openai:a",
    "sc(n=1) > refine(rounds=2)@llama:./b.gguf",
    "sc(n=2) > refine(rounds=0)@openai:a",
    "sc(n=2) > refine(rounds=0)@llama:./b.gguf",
    "sc(n=2) > refine(rounds=1)@openai:a",
    "sc(n=2) > refine(rounds=1)@llama:./b.gguf",
    "sc(n=2) > refine(rounds=2)@openai:a",
    "sc(n=2) > refine(rounds=2)@llama:./b.gguf",
  ]);
});

test("commas in quotes, lists, parentheses and nested braces do not split", () => {
  assert.deepEqual(expandSweeps(`a(p={"x, y}", 'z,{w}'})`), [`a(p="x, y}")`, `a(p='z,{w}')`]);
  assert.deepEqual(expandSweeps("a(stop={[x, y], [z]})"), ["a(stop=[x, y])", "a(stop=[z])"]);
  assert.deepEqual(expandSweeps("{a(n={1,2}), b(m=1, k=2)}@m"), ["a(n=1)@m", "a(n=2)@m", "b(m=1, k=2)@m"]);
});

test("text without sweeps, braces in strings and JSON objects stay one spec", () => {
  for (const text of ["vote(n=5)@openai:x", `a(p="{x,y}")`, `a(w={"k": 1, "j": 2})`, "a(w={})", `a(w={'k': {"n": 1}})`])
    assert.deepEqual(expandSweeps(text), [text]);
});

test("every expanded spec parses", () => {
  const specs = expandSweeps(`vote(n={1,3}, prompt={"Q: {{question}}, think", 'Answer: {{question}}'})@scripted:x`);
  assert.equal(specs.length, 4);
  for (const spec of specs) assert.equal(parseTechniqueSpec(spec).techniques[0]!.name, "vote");
});

test("bad sweeps are InvalidRequestErrors pointing at the brace", () => {
  const check = (text: string, pattern: RegExp, column: number) =>
    assert.throws(
      () => expandSweeps(text),
      (e) => InvalidRequestError.isInstance(e) && pattern.test(e.message) && e.message.includes(`column ${column})`),
      text,
    );
  check("a(n={1,2)", /unclosed sweep "\{": no "\}"/, 5);
  check("a(n={1,,2})", /empty alternative in a sweep/, 8);
  check(`a(p={"x, 1})`, /unterminated string/, 6);
  assert.throws(
    () =>
      expandSweeps(
        "a(n={1,2,3,4,5,6,7,8,9,10}, m={1,2,3,4,5,6,7,8,9,10}, k={1,2,3,4,5,6,7,8,9,10}, j={1,2,3,4,5,6,7,8,9,10,11})",
      ),
    /more than 10000 specs/,
  );
});
