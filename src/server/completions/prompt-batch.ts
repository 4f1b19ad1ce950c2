import { childContext, createRunContext } from "../../core/context.ts";
import { BudgetExceededError } from "../../core/errors/budget-error.ts";
import { UpstreamError } from "../../core/errors/upstream-error.ts";
import { linkedSignal } from "../../core/linked-signal.ts";
import type { ChatRequest, ChatResult, Choice, LM, RunContext, StreamEvent } from "../../core/types.ts";
import { errorResponse } from "../error-response.ts";
import { promptRequest } from "./completions-request.ts";

/** How many prompts of one request run at once (each may be a whole technique's worth of calls). */
export const PROMPT_CONCURRENCY = 4;

/** A prompt's answer, or the budget's refusal to make its first call. */
type Answer = ChatResult | BudgetExceededError;

/**
 * An LM that answers the request it is given once per prompt, with `inner`, each prompt as the
 * request's one (user) message: at most `concurrency` prompts at once, all under the one run context
 * (budget, trace, abort), their choices numbered as OpenAI numbers a batch (prompt i's at i·n … i·n+n-1).
 * Streamed, the prompts' deltas interleave as they come, renumbered. A prompt the budget left no room
 * for answers n empty choices ending `budget` when another prompt was answered; any other failure
 * starts no further prompt and fails the whole batch once the prompts in flight have ended (their
 * calls were made and are charged; aborting them would only waste what they spent). With several
 * prompts each gets its own trace span.
 */
export function promptBatchLM(inner: LM, o: { prompts: readonly string[]; n: number; concurrency?: number }): LM {
  const batch = { ...o, concurrency: o.concurrency ?? PROMPT_CONCURRENCY };
  return {
    id: inner.id,
    capabilities: inner.capabilities,
    async complete(request, ctx = createRunContext()) {
      const answers = await eachPrompt(ctx, batch, (i, c) => inner.complete(promptRequest(request, o.prompts[i]!), c));
      return batchResult(answers, batch.n, ctx);
    },
    stream: (request, ctx = createRunContext()) => streamBatch(inner, request, ctx, batch),
  };
}

async function* streamBatch(
  inner: LM,
  request: ChatRequest,
  ctx: RunContext,
  o: { prompts: readonly string[]; n: number; concurrency: number },
): AsyncGenerator<StreamEvent> {
  const pending: StreamEvent[] = [];
  let wake: (() => void) | undefined;
  // Once a prompt failed the batch fails: what the prompts still running say is not shown.
  let failed = false;
  const push = (event: StreamEvent) => {
    if (failed) return;
    pending.push(event);
    wake?.();
  };
  // Stops the prompts still running when the reader stops early (the client left).
  const stop = linkedSignal(ctx.signal);
  let settled = false;
  const outcome = eachPrompt(
    { ...ctx, signal: stop.signal },
    o,
    async (i, c) => {
      let result: ChatResult | undefined;
      for await (const event of inner.stream(promptRequest(request, o.prompts[i]!), c)) {
        if (event.type === "result") result = event.result;
        else push(event.type === "delta" ? { ...event, index: i * o.n + event.index } : event);
      }
      if (!result)
        throw new UpstreamError({
          provider: inner.id,
          failure: "malformed",
          message: "the model ended without an answer",
        });
      return result;
    },
    () => {
      failed = true;
      pending.length = 0;
    },
  ).then(
    (answers) => ({ answers }),
    (error: unknown) => ({ error }),
  );
  void outcome.then(() => {
    settled = true;
    wake?.();
  });
  try {
    for (;;) {
      while (pending.length) yield pending.shift()!;
      if (settled) break;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
    const done = await outcome;
    if ("error" in done) throw done.error;
    yield { type: "result", result: batchResult(done.answers, o.n, ctx) };
  } finally {
    // The prompts still running end, and are charged, before the batch does: the bill is settled after it.
    if (!settled) {
      stop.abort();
      await outcome;
    }
    stop.dispose();
  }
}

/**
 * Runs `task` for every prompt, at most `concurrency` at once. After the first failure (other than
 * the budget refusing a prompt's first call) no prompt starts; the prompts in flight run to their
 * end (only the run's signal, the client leaving, stops them), and the failure is thrown once they
 * have all ended, so nothing of the request outlives it and all it spent is in its trace.
 */
async function eachPrompt(
  ctx: RunContext,
  o: { prompts: readonly string[]; concurrency: number },
  task: (i: number, ctx: RunContext) => Promise<ChatResult>,
  /** Told of the first failure, as it happens. */
  onFailure?: () => void,
): Promise<Answer[]> {
  const count = o.prompts.length;
  const answers = new Array<Answer>(count);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < count) {
      const i = next++;
      const c = promptContext(ctx, i, count, () => failure !== undefined);
      try {
        answers[i] = await task(i, c);
        if (c.span !== ctx.span) c.span.finish();
      } catch (error) {
        // The trace is the client's to read: a host problem's detail stays out of it, as in recordTrace.
        if (c.span !== ctx.span) c.span.fail(errorResponse(error).body.error.message);
        if (BudgetExceededError.isInstance(error)) answers[i] = error;
        else if (!failure) {
          failure = { error };
          onFailure?.();
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency, count) }, worker));
  if (failure) throw failure.error;
  return answers;
}

/**
 * Prompt i's context: the run's budget and signal; its own span and progress tag when there are
 * several, its progress kept quiet once the batch has `failed` (it fails, whatever it says).
 */
function promptContext(ctx: RunContext, i: number, count: number, failed: () => boolean): RunContext {
  if (count === 1) return ctx;
  const onProgress = ctx.onProgress;
  return {
    ...childContext(ctx, `prompt ${i}`, "step", { prompt: i }),
    onProgress: onProgress && ((data) => void (failed() || onProgress({ ...data, prompt: i }))),
  };
}

/** The prompts' answers as one result, choices renumbered; the budget's refusals as empty `budget` choices. */
function batchResult(answers: Answer[], n: number, ctx: RunContext): ChatResult {
  const answered = answers.find((a): a is ChatResult => !BudgetExceededError.isInstance(a));
  // No prompt was answered: the request failed as any other would.
  if (!answered) throw answers[0];
  if (answers.length === 1) return answered;
  const refused = (i: number): Choice[] =>
    Array.from({ length: n }, (_, k) => ({
      index: i * n + k,
      message: { role: "assistant", content: "" },
      finish_reason: "budget",
    }));
  return {
    ...answered,
    choices: answers.flatMap((a, i) =>
      BudgetExceededError.isInstance(a) ? refused(i) : a.choices.map((c) => ({ ...c, index: i * n + c.index })),
    ),
    usage: { ...ctx.span.total },
  };
}
