import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultRegistry } from "./registry.ts";
import { parseTechniqueSpec } from "./spec/index.ts";
import { rewriteSpec, walkTechniqueTree } from "./walk-technique-tree.ts";

const registry = defaultRegistry();

test("the walk reaches the chain and every spec held in a model option, outer first", () => {
  const ast = parseTechniqueSpec(
    'cascade(models=["self-consistency(n=3)@big", "huge"]) > self-refine(critic="re2 > few-shot@judge")@small',
  );
  const nodes = walkTechniqueTree(ast, registry);
  assert.deepEqual(
    nodes.map((n) => n.label),
    [
      "cascade",
      "cascade.models[0].self-consistency",
      "self-refine",
      "self-refine.critic.re2",
      "self-refine.critic.few-shot",
    ],
    "plain models (huge) hold no technique",
  );
  assert.deepEqual(nodes[1]!.path, [{ layer: 0, option: "models", index: 0 }, { layer: 0 }]);
  assert.deepEqual(nodes[4]!.path, [{ layer: 1, option: "critic" }, { layer: 1 }]);
  assert.equal(nodes[1]!.call.params.n, 3);
});

test("rewriteSpec changes parameters anywhere in the tree and keeps every @model", () => {
  const ast = parseTechniqueSpec(
    'cascade(models=["self-consistency(n=3)@big", "huge"]) > self-refine(critic="re2@judge")@small',
  );
  const text = rewriteSpec(ast, registry, [
    { path: [{ layer: 0, option: "models", index: 0 }, { layer: 0 }], name: "n", value: 8 },
    { path: [{ layer: 1, option: "critic" }, { layer: 0 }], name: "reads", value: 3 },
    { path: [{ layer: 0 }], name: "threshold", value: 0.9 },
  ]);
  assert.equal(
    text,
    'cascade(models=["self-consistency(n=8)@big", huge], threshold=0.9) > self-refine(critic="re2(reads=3)@judge")@small',
  );
  assert.deepEqual(
    walkTechniqueTree(parseTechniqueSpec(text), registry).map((n) => n.label),
    ["cascade", "cascade.models[0].self-consistency", "self-refine", "self-refine.critic.re2"],
  );
});
