import { deflateRawSync, inflateRawSync } from "node:zlib";
import type { SpanJSON } from "../trace/span.ts";
import type { QuestionResult } from "./question-result.ts";

/** One stored result as both backends' rows hold it (booleans as 0/1, absent fields as null). */
export type Row = Omit<QuestionResult, "correct" | "answer" | "error" | "trace_id" | "finish_reason"> & {
  correct: number;
  answer: string | null;
  error: string | null;
  trace_id: string | null;
  finish_reason: string | null;
};

/** The result columns, in the order both backends store them. */
export const COLUMNS =
  "question_id, correct, answer, gold, text, finish_reason, calls, samples, prompt_tokens, completion_tokens, cost_usd, latency_ms, error, trace_id";

/** Traces repeat prompts and samples, so they are stored deflated (about a sixth of the JSON). */
export function packTrace(trace: SpanJSON): Buffer {
  return deflateRawSync(JSON.stringify(trace), { level: 1 });
}

export function unpackTrace(raw: Buffer): SpanJSON {
  return JSON.parse(inflateRawSync(raw).toString("utf8")) as SpanJSON;
}

export function fromRow(row: Row): QuestionResult {
  const { correct, answer, error, trace_id, finish_reason, ...rest } = row;
  return {
    ...rest,
    correct: correct === 1,
    ...(answer === null ? {} : { answer }),
    ...(finish_reason === null ? {} : { finish_reason }),
    ...(error === null ? {} : { error }),
    ...(trace_id === null ? {} : { trace_id }),
  };
}
