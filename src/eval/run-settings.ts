import type { BudgetLimits } from "../budget/budget.ts";
import type { ChatRequest } from "../core/types.ts";
import type { AnswerKind } from "../techniques/answers/index.ts";
import type { EvalRecord } from "./eval-record.ts";
import type { EvalStore } from "./eval-store.ts";

/**
 * What every question of an evaluation shares, made once by `lmx eval` or `lmx tune` and handed
 * down whole: where results go, which dataset they belong to, how answers are graded, and the
 * seed, request fields, limits and cancellation of every call. A question's evaluation is a
 * function of these settings, the question and the technique spec (evaluateAndSave), so it can
 * run anywhere the settings can be rebuilt (a worker queue, say).
 */
export interface RunSettings {
  store: EvalStore;
  /** The dataset's hash (results are keyed by it) and the records to evaluate. */
  dataset: { hash: string; records: readonly EvalRecord[] };
  /** How answers are graded; unset: each plan's own `answer` kind (see EvalRunPlan.answer), else auto. */
  answer?: AnswerKind;
  /** The sampling seed of every question's run context. */
  seed?: number;
  /** Extra request fields for every question (temperature, max_tokens...). */
  request?: Partial<ChatRequest>;
  signal?: AbortSignal;
  /** Questions in flight at once (default 8). */
  concurrency?: number;
  /** Limits per question. */
  budget?: BudgetLimits;
}
