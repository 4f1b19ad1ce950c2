import { describe, test } from "node:test";
import type { LM } from "../../core/types.ts";
import { conformanceChecks } from "../conformance/conformance-checks.ts";
import type { TechniqueFactory } from "../define-technique.ts";
import { mcts } from "./mcts.ts";
import { treeOfThoughts } from "./tree-of-thoughts.ts";

/**
 * The registered conformance suite runs the defaults (BFS with values); the other search modes
 * take other code paths, so they pass the same checks here.
 */
function variant(factory: TechniqueFactory, options: Record<string, unknown>): TechniqueFactory {
  return Object.assign((inner: LM) => factory(inner, options), { definition: factory.definition });
}

const variants: [string, TechniqueFactory][] = [
  ["tree-of-thoughts search=dfs", variant(treeOfThoughts, { search: "dfs" })],
  ["tree-of-thoughts evaluator=vote", variant(treeOfThoughts, { evaluator: "vote", value_samples: 3 })],
  ["tree-of-thoughts search=dfs evaluator=vote", variant(treeOfThoughts, { search: "dfs", evaluator: "vote" })],
  ["mcts value_samples=2", variant(mcts, { value_samples: 2, iterations: 3 })],
];

for (const [name, factory] of variants)
  describe(name, () => {
    for (const check of conformanceChecks) test(check.name, { timeout: 20_000 }, () => check.run(factory));
  });
