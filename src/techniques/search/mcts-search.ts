import type { ThoughtNode } from "./thought-node.ts";
import type { ThoughtSearch } from "./thought-search.ts";

export interface MctsOptions {
  search: ThoughtSearch;
  iterations: number;
  /** The UCT exploration constant c. */
  exploration: number;
  /** Steps at most: a state this deep is a leaf. */
  depth: number;
}

interface Visits {
  n: number;
  total: number;
}

/**
 * UCT over reasoning steps. Each iteration selects a leaf from the root by UCT, expands it (one
 * proposal request of n=breadth), values the new states (concurrently), and backs each value up to
 * the root. Leaves that cannot grow (complete, at full depth, or with no proposals) are re-valued
 * from their stored value without a call. Q values are min-max normalised over the tree before UCT
 * (as in MuZero), since LM values come on any scale (20/1/0.001 by default). The result is the
 * state reached by following the most visited child from the root (ties: the higher Q).
 */
export async function mctsSearch({ search, iterations, exploration, depth }: MctsOptions): Promise<ThoughtNode> {
  const visits = new Map<ThoughtNode, Visits>();
  const dead = new Set<ThoughtNode>();
  const stat = (n: ThoughtNode): Visits => visits.get(n) ?? visits.set(n, { n: 0, total: 0 }).get(n)!;
  const q = (n: ThoughtNode) => (stat(n).n ? stat(n).total / stat(n).n : 0);
  const leaf = (n: ThoughtNode) => n.complete || n.depth >= depth || dead.has(n);

  function backUp(from: ThoughtNode, value: number): void {
    for (let n: ThoughtNode | undefined = from; n; n = n.parent) {
      stat(n).n++;
      stat(n).total += value;
    }
  }

  function select(): { node: ThoughtNode; path: number[] } {
    const qs = [...visits.keys()].filter((n) => n.parent).map(q);
    const low = Math.min(...qs);
    const high = Math.max(...qs);
    const norm = (x: number) => (high > low ? (x - low) / (high - low) : 0);
    let node = search.root;
    const path = [node.id];
    while (node.children.length) {
      const parentN = stat(node).n;
      const uct = (c: ThoughtNode) =>
        norm(q(c)) + exploration * Math.sqrt(Math.log(Math.max(parentN, 1)) / Math.max(stat(c).n, 1));
      node = node.children.reduce((best, c) => (uct(c) > uct(best) ? c : best));
      path.push(node.id);
    }
    return { node, path };
  }

  for (let iteration = 1; iteration <= iterations; iteration++) {
    const { node, path } = select();
    const children = leaf(node) ? [] : await search.expand(node);
    if (children.length === 0) {
      // A leaf is visited again at its stored value; a state with no proposals becomes one.
      if (!leaf(node)) dead.add(node);
      backUp(node, node.score ?? 0);
    } else {
      await search.value(children);
      for (const child of children) backUp(child, child.score ?? 0);
    }
    search.event("iteration", {
      iteration,
      path,
      children: children.map((c) => ({ id: c.id, value: c.score ?? null })),
    });
    search.progress({ search: "mcts", iteration });
  }

  let node = search.root;
  const rank = (c: ThoughtNode) => [stat(c).n, q(c)] as const;
  while (node.children.length)
    node = node.children.reduce((best, c) => {
      const [cn, cq] = rank(c);
      const [bn, bq] = rank(best);
      return cn > bn || (cn === bn && cq > bq) ? c : best;
    });
  return node;
}
