import type { ChatRequest, ChatResult, LM, StreamEvent } from "../../core/types.ts";
import type { TechniqueRun } from "../define-technique.ts";
import { runStage, streamStage } from "./run-stage.ts";

/** What the final stage calls: its request, and the LM to ask (default: the technique's inner LM). */
export interface PreparedStage {
  request: ChatRequest;
  lm?: LM;
}

export interface FinalStageOptions<O, P extends PreparedStage> {
  /** The final stage's name in the trace ("answer", "respond", ...). */
  name: string;
  /** Runs the earlier stages and returns the final stage's request (with anything `finish` needs). */
  prepare(run: TechniqueRun, options: O): P | Promise<P>;
  /** Looks at the final result (citations, lessons, a budget mark) and returns the technique's answer. */
  finish?(result: ChatResult, prepared: P, run: TechniqueRun, options: O): ChatResult | Promise<ChatResult>;
}

/**
 * The `run` and `stream` of a technique that ends in one answering stage: the earlier stages run
 * the same either way, and the final call is streamed when the caller streams, so its deltas reach
 * the caller as they come. Spread the result into `defineTechnique`.
 */
export function finalStage<O, P extends PreparedStage = PreparedStage>(stage: FinalStageOptions<O, P>) {
  const { name, prepare, finish } = stage;
  return {
    async run(run: TechniqueRun, options: O): Promise<ChatResult> {
      const prepared = await prepare(run, options);
      const result = await runStage({ run, name, lm: prepared.lm, request: prepared.request });
      return finish ? finish(result, prepared, run, options) : result;
    },
    async *stream(run: TechniqueRun, options: O): AsyncIterable<StreamEvent> {
      const prepared = await prepare(run, options);
      const result = yield* streamStage({ run, name, lm: prepared.lm, request: prepared.request });
      yield { type: "result", result: finish ? await finish(result, prepared, run, options) : result };
    },
  };
}
