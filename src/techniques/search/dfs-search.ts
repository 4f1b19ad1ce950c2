import { betterNode, type ThoughtNode } from "./thought-node.ts";
import type { ThoughtSearch } from "./thought-search.ts";

export interface DfsOptions {
  search: ThoughtSearch;
  depth: number;
  /** Children explored per state, best first (the paper's per-state limit). */
  beam: number;
  evaluator: "value" | "vote";
  /** States scored below this are pruned. */
  threshold: number;
  /** States expanded at most. */
  maxNodes: number;
}

/**
 * ToT-DFS (Yao et al. 2023, Algorithm 2): expand a state, evaluate its children together, and
 * descend into the best child first; children scored below `threshold` are pruned, and when a
 * state's children are all pruned or exhausted the search backtracks to its parent's next child.
 * The first state that is complete, or at full `depth`, with a score at or above the threshold is
 * the solution. When `maxNodes` expansions find none, the best state seen (ties: the deeper) is used.
 */
export async function dfsSearch(options: DfsOptions): Promise<ThoughtNode> {
  const { search } = options;
  let expanded = 0;
  let best: ThoughtNode | undefined;

  async function visit(node: ThoughtNode): Promise<ThoughtNode | undefined> {
    if (expanded >= options.maxNodes) return undefined;
    expanded++;
    const children = await search.expand(node);
    if (options.evaluator === "value") await search.value(children);
    else await search.vote(children);
    const ranked = [...children].sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
    for (const child of ranked) if (betterNode(child, best)) best = child;
    if (best && options.evaluator === "vote") search.keep(best);
    search.progress({ search: "dfs", depth: node.depth + 1, state: node.id });

    let tried = 0;
    for (const child of ranked) {
      if (tried >= options.beam) break;
      if ((child.score ?? 0) < options.threshold) {
        // Ranked by score, so every later sibling is below the threshold too.
        search.event("prune", {
          parent: node.id,
          ids: ranked.slice(ranked.indexOf(child)).map((c) => c.id),
          threshold: options.threshold,
        });
        break;
      }
      tried++;
      if (child.complete || child.depth >= options.depth) return child;
      const found = await visit(child);
      if (found) return found;
      if (expanded >= options.maxNodes) return undefined;
      search.event("backtrack", { from: child.id, to: node.id });
    }
    return undefined;
  }

  return (await visit(search.root)) ?? best ?? search.root;
}
