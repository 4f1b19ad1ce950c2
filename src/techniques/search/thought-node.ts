/** One state of a thought tree: a partial solution, i.e. the reasoning steps from the root to here. */
export interface ThoughtNode {
  /** 0 for the root (no steps), then 1, 2, ... in order of creation. */
  id: number;
  parent?: ThoughtNode;
  /** Number of steps. */
  depth: number;
  /** Steps from the root, this node's own step last. */
  steps: string[];
  /** The latest step states the final answer, so the state is a complete solution (a leaf). */
  complete: boolean;
  /** The evaluator's score once evaluated: the averaged value, or the votes received. */
  score?: number;
  children: ThoughtNode[];
}

export function rootNode(): ThoughtNode {
  return { id: 0, depth: 0, steps: [], complete: false, children: [] };
}

/** The steps as prompts and kept answers show them: "Step 1: ...", one per line. */
export function formatSteps(steps: readonly string[]): string {
  return steps.length ? steps.map((s, i) => `Step ${i + 1}: ${s}`).join("\n") : "(none yet)";
}

/**
 * Whether a step completes the solution: one of its lines starts with the answer marker, ignoring
 * case and markdown emphasis ("**Final Answer:** 42" matches "Final answer:").
 */
export function isCompleteStep({ step, marker }: { step: string; marker: string }): boolean {
  const m = normalise(marker);
  return m.length > 0 && step.split("\n").some((line) => normalise(line).startsWith(m));
}

/** Higher score wins; on equal scores the deeper state (more progress), then the earlier one. */
export function betterNode(a: ThoughtNode, b: ThoughtNode | undefined): boolean {
  if (!b) return true;
  const sa = a.score ?? -Infinity;
  const sb = b.score ?? -Infinity;
  return sa > sb || (sa === sb && a.depth > b.depth);
}

function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[*_`#>]/g, "")
    .replace(/\s+/g, " ")
    .trim();
}
