import type { TechniqueRun } from "../define-technique.ts";
import { finalStage } from "../stage/final-stage.ts";
import type { ThoughtNode } from "./thought-node.ts";
import type { ThoughtOptions } from "./thought-options.ts";
import { createThoughtSearch, type ThoughtSearch } from "./thought-search.ts";

export interface AnswerFromSearchOptions<O extends ThoughtOptions> {
  /** The technique's name, for error messages. */
  technique: string;
  /** The search strategy (BFS, DFS, MCTS): returns the state to answer from. */
  strategy(search: ThoughtSearch, options: O): Promise<ThoughtNode>;
}

/**
 * The `run` and `stream` of a thought search technique: search over partial solutions with
 * `strategy`, then write the final answer from the best state in an `answer` stage, streamed when
 * the caller streams.
 */
export function answerFromSearch<O extends ThoughtOptions>({ technique, strategy }: AnswerFromSearchOptions<O>) {
  return finalStage({
    name: "answer",
    async prepare(run: TechniqueRun, o: O) {
      const search = createThoughtSearch({ run, options: o, technique });
      const best = await strategy(search, o);
      return { search, request: search.answerRequest(best) };
    },
    finish: (result, { search }) => search.finish(result),
  });
}
