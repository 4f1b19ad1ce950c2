import { canonicalAnswer, type AnswerKind } from "../techniques/answers/index.ts";

export interface Score {
  /** The canonical answer extracted from the response (undefined: none found). */
  answer?: string;
  /** The canonical reference answer. */
  gold: string;
  correct: boolean;
}

/**
 * Grades a response against the reference: canonical(answer extracted from the response) equals
 * canonical(gold) under `kind`. A reference that does not canonicalise (a free-text gold under
 * `number`, say) is compared by its trimmed text.
 */
export function scoreAnswer(options: { text: string; gold: string; kind: AnswerKind; finishReason?: string }): Score {
  const { text, gold, kind } = options;
  // A technique that found no answer (`no_answer`) scores none, whatever its message holds.
  const answer = options.finishReason === "no_answer" ? undefined : canonicalAnswer(text, kind);
  const reference = canonicalAnswer(gold, kind) ?? gold.trim();
  return { answer, gold: reference, correct: answer !== undefined && answer === reference };
}
