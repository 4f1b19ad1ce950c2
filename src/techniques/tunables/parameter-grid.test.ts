import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultRegistry } from "../registry.ts";
import { parameterGrid } from "./parameter-grid.ts";

const registry = defaultRegistry();
const param = (technique: string, name: string) => registry.info(technique).parameters.find((p) => p.name === name)!;

test("integers get {1, 3, 5, 8} and their default, clipped to the range", () => {
  assert.deepEqual(parameterGrid(param("self-consistency", "n")), [1, 3, 5, 8]);
  assert.deepEqual(parameterGrid(param("adaptive-consistency", "max")), [1, 3, 5, 8, 10]);
  assert.deepEqual(parameterGrid(param("re2", "reads")), [2, 3, 5], "reads is 2 to 5, default 2");
  assert.deepEqual(parameterGrid(param("universal-self-consistency", "n")), [3, 5, 8], "n is 2 to 64");
});

test("enums give every value, booleans both, bounded numbers their quartiles and default", () => {
  assert.deepEqual(parameterGrid(param("adaptive-consistency", "criterion")), ["beta", "dirichlet", "window"]);
  assert.deepEqual(parameterGrid(param("plan-and-solve", "extract")), [false, true]);
  assert.deepEqual(parameterGrid(param("self-consistency", "temperature")), [0.5, 1, 1.5]);
  assert.deepEqual(parameterGrid(param("adaptive-consistency", "threshold")), [0.25, 0.5, 0.75, 0.95]);
});

test("models, free text, one-value enums, unbounded numbers and resource limits are not tuned", () => {
  for (const [technique, name] of [
    ["self-refine", "critic"],
    ["self-consistency", "answer"],
    ["re2", "reread_prompt"],
    ["reflexion", "evaluator"],
    ["tree-of-thoughts", "threshold"],
    ["program-aided", "timeout_ms"],
    ["program-aided", "memory_mb"],
  ] as const)
    assert.equal(parameterGrid(param(technique, name)), undefined, `${technique}.${name}`);
});
