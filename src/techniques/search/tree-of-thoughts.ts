import { z } from "zod";
import { defineTechnique } from "../define-technique.ts";
import { templateOption } from "../stage/template-option.ts";
import { answerFromSearch } from "./answer-from-search.ts";
import { bfsSearch } from "./bfs-search.ts";
import { dfsSearch } from "./dfs-search.ts";
import { thoughtOptionFields } from "./thought-options.ts";
import { votePrompt } from "./thought-prompts.ts";
import { clientValue } from "../spec/option-trust.ts";

const options = z.strictObject({
  breadth: clientValue(thoughtOptionFields.breadth),
  depth: clientValue(z.int().min(1).max(10).default(3).describe("Reasoning steps at most.")),
  beam: clientValue(
    z
      .int()
      .min(1)
      .max(16)
      .default(2)
      .describe("BFS: states kept per level. DFS: children explored per state, best first."),
  ),
  search: clientValue(
    z
      .enum(["bfs", "dfs"])
      .default("bfs")
      .describe("bfs: level by level with a beam; dfs: best child first, pruning and backtracking."),
  ),
  evaluator: clientValue(
    z
      .enum(["value", "vote"])
      .default("value")
      .describe("value: the LM rates each state on its own; vote: the LM votes for the most promising of the states."),
  ),
  value_samples: clientValue(thoughtOptionFields.value_samples),
  threshold: clientValue(
    z
      .number()
      .min(0)
      .default(1)
      .describe('DFS: states scored below this are pruned (1 = "likely" for values, one vote for votes).'),
  ),
  max_nodes: clientValue(z.int().min(1).max(500).default(10).describe("DFS: states expanded at most.")),
  temperature: clientValue(thoughtOptionFields.temperature),
  answer_marker: clientValue(thoughtOptionFields.answer_marker),
  propose_prompt: clientValue(thoughtOptionFields.propose_prompt),
  value_prompt: clientValue(thoughtOptionFields.value_prompt),
  vote_prompt: clientValue(
    templateOption({ text: votePrompt, placeholders: ["question", "choices"], required: ["choices"] }).describe(
      'Asks for "The best choice is N"; {choices} lists the states as "Choice N:" blocks.',
    ),
  ),
  answer_prompt: clientValue(thoughtOptionFields.answer_prompt),
});
type Options = z.output<typeof options>;

/**
 * Tree of Thoughts (Yao et al. 2023, "Tree of Thoughts: Deliberate Problem Solving with Large
 * Language Models"). A state is a partial solution, a list of reasoning steps. The thought generator
 * samples `breadth` next steps of a state in one request; the state evaluator scores states, by
 * `value` (each state rated "sure/likely/impossible" = 20/1/0.001, `value_samples` samples
 * averaged, all states at once) or by `vote` (`value_samples` votes for the most promising state of
 * a set). The search is BFS with a beam, or DFS with pruning below `threshold` and backtracking,
 * bounded by `max_nodes` expansions. It ends at `depth` steps or at a complete state (one whose last
 * step gives the final answer); the final answer is then written, and streamed, from the best state.
 *
 * A budget or abort stop returns the best state so far, formatted as its numbered steps, with
 * finish_reason "budget"/"aborted": answering from it would need a call the budget cannot pay for.
 * Every evaluated state is a `node` span event (id, parent, depth, state text, score).
 */
export const treeOfThoughts = defineTechnique({
  name: "tree-of-thoughts",
  family: "search",
  paper: "Yao et al. 2023, Tree of Thoughts: Deliberate Problem Solving with Large Language Models",
  description:
    "Searches over partial solutions (BFS or DFS): the LM proposes next steps and rates or votes on states; the final answer is written from the best state.",
  options,
  tunables: {
    knobs: ["breadth", "depth", "beam", "search", "evaluator"],
    instructions: ["propose_prompt", "value_prompt", "vote_prompt", "answer_prompt"],
  },
  ...answerFromSearch<Options>({
    technique: "tree-of-thoughts",
    strategy: (search, o) =>
      o.search === "bfs"
        ? bfsSearch({ search, depth: o.depth, beam: o.beam, evaluator: o.evaluator })
        : dfsSearch({
            search,
            depth: o.depth,
            beam: o.beam,
            evaluator: o.evaluator,
            threshold: o.threshold,
            maxNodes: o.max_nodes,
          }),
  }),
});
