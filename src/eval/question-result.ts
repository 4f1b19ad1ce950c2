import type { QuestionMetrics } from "./question-metrics.ts";

/** One graded question of a run. */
export interface QuestionResult extends QuestionMetrics {
  question_id: string;
  correct: boolean;
  /** Canonical extracted answer, if any. */
  answer?: string;
  /** Canonical reference answer. */
  gold: string;
  /** The final response text. */
  text: string;
  finish_reason?: string;
  latency_ms: number;
  /** Why the question failed (it counts as wrong, and a rerun retries it). */
  error?: string;
  trace_id?: string;
}
