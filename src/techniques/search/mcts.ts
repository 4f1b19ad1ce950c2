import { z } from "zod";
import { defineTechnique } from "../define-technique.ts";
import { answerFromSearch } from "./answer-from-search.ts";
import { mctsSearch } from "./mcts-search.ts";
import { thoughtOptionFields } from "./thought-options.ts";
import { clientValue } from "../spec/option-trust.ts";

const options = z.strictObject({
  iterations: clientValue(
    z
      .int()
      .min(1)
      .max(200)
      .default(8)
      .describe(
        "Selections from the root; one that reaches a growable state costs a proposal request and `breadth` value requests.",
      ),
  ),
  exploration: clientValue(
    z.number().min(0).max(100).default(1.4).describe("UCT exploration constant c (Q is normalised to 0-1)."),
  ),
  breadth: clientValue(thoughtOptionFields.breadth),
  depth: clientValue(z.int().min(1).max(20).default(4).describe("Reasoning steps at most.")),
  value_samples: clientValue(
    thoughtOptionFields.value_samples.describe("Value samples per new state, in one request, averaged."),
  ),
  temperature: clientValue(thoughtOptionFields.temperature),
  answer_marker: clientValue(thoughtOptionFields.answer_marker),
  propose_prompt: clientValue(thoughtOptionFields.propose_prompt),
  value_prompt: clientValue(thoughtOptionFields.value_prompt),
  answer_prompt: clientValue(thoughtOptionFields.answer_prompt),
});
type Options = z.output<typeof options>;

/**
 * Monte-Carlo tree search over reasoning steps with LM-estimated values, after RAP (Hao et al. 2023,
 * "Reasoning with Language Model is Planning with World Model"): states are partial solutions; UCT
 * selects a leaf, the LM proposes `breadth` next steps, the LM values each new state (the
 * tree-of-thoughts value prompt, `value_samples` samples averaged), and the values are backed up
 * as running means. Unlike RAP, which rolls each new state out to the end, a new state's value
 * estimate stands in for the rollout (as in AlphaZero's value network), so an iteration costs one
 * proposal call plus `breadth` concurrent value calls. The final answer is written, and streamed,
 * from the state at the end of the most visited path. A budget or abort stop returns the
 * best-valued state so far as its numbered steps.
 */
export const mcts = defineTechnique({
  name: "mcts",
  family: "search",
  paper: "Hao et al. 2023, Reasoning with Language Model is Planning with World Model",
  description:
    "Monte-Carlo tree search over reasoning steps: UCT selection, LM-proposed steps, LM-estimated values backed up the tree; answers from the most visited path.",
  options,
  tunables: {
    knobs: ["iterations", "breadth", "depth", { option: "exploration", values: [0.5, 1.4, 2.5] }],
    instructions: ["propose_prompt", "value_prompt", "answer_prompt"],
  },
  ...answerFromSearch<Options>({
    technique: "mcts",
    strategy: (search, o) =>
      mctsSearch({ search, iterations: o.iterations, exploration: o.exploration, depth: o.depth }),
  }),
});
