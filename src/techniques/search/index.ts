export { treeOfThoughts } from "./tree-of-thoughts.ts";
export { mcts } from "./mcts.ts";
