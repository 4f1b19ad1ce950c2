import { settleAll } from "../../core/settle-all.ts";
import type { ThoughtNode } from "./thought-node.ts";
import type { ThoughtSearch } from "./thought-search.ts";

/**
 * ToT-BFS (Yao et al. 2023, Algorithm 1): level by level, propose `breadth` next steps for every
 * state of the frontier (all at once), evaluate the new states, and keep the best `beam` of them as
 * the next frontier. Complete states are not expanded; they stay candidates at later levels (votes
 * are relative, so they are voted on again; values are absolute, so they keep theirs). Stops after
 * `depth` levels, or as soon as the best state is complete. Returns the best state of the last frontier.
 */
export async function bfsSearch({
  search,
  depth,
  beam,
  evaluator,
}: {
  search: ThoughtSearch;
  depth: number;
  beam: number;
  evaluator: "value" | "vote";
}): Promise<ThoughtNode> {
  let frontier: ThoughtNode[] = [search.root];
  for (let level = 1; level <= depth; level++) {
    const open = frontier.filter((n) => !n.complete);
    if (open.length === 0) break;
    const children = (await settleAll(open.map((n) => search.expand(n)))).flat();
    if (children.length === 0) break;
    const candidates = [...frontier.filter((n) => n.complete), ...children];
    if (evaluator === "value") await search.value(children);
    else await search.vote(candidates);
    // Stable sort: on equal scores the earlier candidate (a carried one, then proposal order) stays ahead.
    const ranked = [...candidates].sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
    frontier = ranked.slice(0, beam);
    if (evaluator === "vote") search.keep(frontier[0]!, true);
    search.event("level", {
      depth: level,
      kept: frontier.map((n) => n.id),
      pruned: ranked.slice(beam).map((n) => n.id),
    });
    search.progress({ search: "bfs", depth: level });
    if (frontier[0]!.complete) break;
  }
  return frontier[0]!;
}
