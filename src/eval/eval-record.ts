import type { ChatRequest, Message } from "../core/types.ts";

/** One evaluation question: a prompt (or a whole conversation) and its reference answer. */
export interface EvalRecord {
  /** Stable id: the record's own, else a hash of the question (so reruns resume). */
  id: string;
  question: string;
  answer: string;
  /** Multiple-choice options, appended to the prompt as lettered lines (A. ..., B. ...). */
  choices?: string[];
  /** A full conversation sent instead of `question`. */
  messages?: Message[];
  /** 1-based line of the record in its file. */
  line: number;
}

/** Letters for multiple-choice options: A..Z, then AA, AB, ... */
export function choiceLetter(index: number): string {
  let n = index;
  let out = "";
  do {
    out = String.fromCharCode(65 + (n % 26)) + out;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return out;
}

/** The chat request that asks a record's question. */
export function evalRequest(record: EvalRecord): ChatRequest {
  if (record.messages) return { messages: record.messages };
  const options = record.choices?.length
    ? `\n\n${record.choices.map((c, i) => `${choiceLetter(i)}. ${c}`).join("\n")}`
    : "";
  return { messages: [{ role: "user", content: record.question + options }] };
}
