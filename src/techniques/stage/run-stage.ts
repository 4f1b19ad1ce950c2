import { childContext } from "../../core/context.ts";
import { AbortedError } from "../../core/errors/aborted-error.ts";
import { UpstreamError } from "../../core/errors/upstream-error.ts";
import { resultText } from "../../core/messages.ts";
import type { ChatRequest, ChatResult, LM, RunContext, StreamEvent } from "../../core/types.ts";
import type { TechniqueRun } from "../define-technique.ts";

export interface StageOptions {
  run: TechniqueRun;
  /** Name of the stage's `step` span in the trace ("critique", "rephrase", ...). */
  name: string;
  request: ChatRequest;
  /** The LM to call (default: the technique's inner LM). */
  lm?: LM;
  /** Sample index of the call, for stages that must not repeat an earlier sample of the same prompt. */
  sampleOffset?: number;
}

function stageContext({ run, name, sampleOffset }: StageOptions): RunContext {
  // Between stages is where a technique notices an abort; the provider notices it during a call.
  if (run.ctx.signal?.aborted) throw new AbortedError();
  const ctx = childContext(run.ctx, name, "step");
  return sampleOffset === undefined ? ctx : { ...ctx, sampleOffset };
}

/** One stage of a technique: an LM call inside a `step` span named after the stage. */
export async function runStage(options: StageOptions): Promise<ChatResult> {
  const ctx = stageContext(options);
  try {
    const result = await (options.lm ?? options.run.inner).complete(options.request, ctx);
    ctx.span.set({ output: resultText(result) });
    ctx.span.finish();
    return result;
  } catch (error) {
    ctx.span.fail(error);
    throw error;
  }
}

/**
 * A streamed stage: yields the call's deltas and progress events as they come and returns its
 * result (use `const result = yield* streamStage(...)`), so a technique can stream its last stage.
 */
export async function* streamStage(options: StageOptions): AsyncGenerator<StreamEvent, ChatResult> {
  const ctx = stageContext(options);
  try {
    for await (const event of (options.lm ?? options.run.inner).stream(options.request, ctx)) {
      if (event.type !== "result") {
        yield event;
        continue;
      }
      ctx.span.set({ output: resultText(event.result) });
      ctx.span.finish();
      return event.result;
    }
    const lm = options.lm ?? options.run.inner;
    throw new UpstreamError({
      provider: lm.id,
      failure: "malformed",
      message: `stage ${options.name}: the stream ended without a result`,
    });
  } catch (error) {
    ctx.span.fail(error);
    throw error;
  }
}
