import type { BudgetLimits } from "../budget/budget.ts";
import { createRunContext } from "../core/context.ts";
import { AbortedError } from "../core/errors/aborted-error.ts";
import { ConfigurationError } from "../core/errors/configuration-error.ts";
import { UpstreamError } from "../core/errors/upstream-error.ts";
import { resultText } from "../core/messages.ts";
import type { ChatRequest } from "../core/types.ts";
import type { AnswerKind } from "../techniques/answers/index.ts";
import type { Span } from "../trace/span.ts";
import type { SpanJSON } from "../trace/span.ts";
import { evalRequest, type EvalRecord } from "./eval-record.ts";
import type { QuestionResult } from "./eval-store.ts";
import type { EvalRunPlan } from "./plan-eval-runs.ts";
import { questionMetrics } from "./question-metrics.ts";
import { scoreAnswer } from "./score-answer.ts";

export interface EvaluateQuestionOptions {
  plan: EvalRunPlan;
  record: EvalRecord;
  kind: AnswerKind;
  /** Limits for this one question. */
  budget?: BudgetLimits;
  signal?: AbortSignal;
  seed?: number;
  /** Extra request fields (temperature, max_tokens) under the record's messages. */
  request?: Partial<ChatRequest>;
}

/** A graded question, or `interrupted` when the caller aborted it midway (nothing to keep). */
export type QuestionOutcome =
  { interrupted: true } | { interrupted: false; result: QuestionResult; trace: SpanJSON; span: Span };

/**
 * Asks one question under its own trace and budget, then grades and measures it. A failure of the
 * question is a result (wrong, with its error); a failure that dooms every question (configuration,
 * authentication, unknown model) is thrown.
 */
export async function evaluateQuestion(options: EvaluateQuestionOptions): Promise<QuestionOutcome> {
  const { plan, record, kind, signal } = options;
  const ctx = createRunContext({ name: `eval ${record.id}`, budget: options.budget, signal, seed: options.seed });
  ctx.span.set({ question_id: record.id, technique: plan.technique, model: plan.model });
  const started = performance.now();
  let text = "";
  let finish: string | undefined;
  let error: string | undefined;
  try {
    const result = await plan.lm.complete({ ...options.request, ...evalRequest(record) }, ctx);
    text = resultText(result);
    finish = result.choices[0]?.finish_reason;
  } catch (e) {
    if (signal?.aborted && (AbortedError.isInstance(e) || isAbortError(e))) return { interrupted: true };
    if (isFatal(e)) throw e;
    error = e instanceof Error ? e.message : String(e);
    ctx.span.fail(e);
  }
  if (finish === "aborted" && signal?.aborted) return { interrupted: true };
  const latency = performance.now() - started;
  const score = scoreAnswer({ text, gold: record.answer, kind, finishReason: finish });
  ctx.span.set({ output: text, answer: score.answer ?? null, gold: score.gold, correct: score.correct });
  ctx.span.finish();
  const trace = ctx.span.toJSON();
  const result: QuestionResult = {
    question_id: record.id,
    correct: error === undefined && score.correct,
    gold: score.gold,
    text,
    latency_ms: Math.round(latency * 1000) / 1000,
    trace_id: ctx.span.traceId,
    ...questionMetrics(trace),
    ...(score.answer === undefined ? {} : { answer: score.answer }),
    ...(finish === undefined ? {} : { finish_reason: finish }),
    ...(error === undefined ? {} : { error }),
  };
  return { interrupted: false, result, trace, span: ctx.span };
}

/** Errors no other question would escape: stop the whole evaluation instead of grading them wrong. */
function isFatal(error: unknown): boolean {
  if (ConfigurationError.isInstance(error)) return true;
  return (
    UpstreamError.isInstance(error) &&
    error.failure === "http" &&
    (error.status === 401 || error.status === 403 || error.status === 404)
  );
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === "AbortError";
}
