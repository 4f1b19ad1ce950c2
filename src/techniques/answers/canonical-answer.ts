import type { AnswerKind } from "./answer-kind.ts";
import { canonicalChoice } from "./canonical-choice.ts";
import { canonicalDate } from "./canonical-date.ts";
import { canonicalLiteral } from "./canonical-literal.ts";
import { canonicalNumber } from "./canonical-number.ts";
import { canonicalText } from "./canonical-text.ts";
import { classifyAnswer } from "./classify-answer.ts";
import { extractAnswer } from "./extract-answer.ts";

/**
 * Extract then canonicalise, so equal answers compare equal ("18.0" = "18", "$1,000" = "1000",
 * "(b)" = "B", dates to ISO "1997-08-03", 'a' = "a" for literals, ...). `auto` and `regex:` classify
 * the extracted span (choice, date, number, literal, else text). A `literal` span that does not parse
 * is compared by its text with whitespace collapsed. Undefined when there is no answer.
 */
export function canonicalAnswer(text: string, kind: AnswerKind = "auto"): string | undefined {
  const span = extractAnswer(text, kind);
  if (span === undefined) return undefined;
  if (typeof kind === "object" || kind === "auto") return classifyAnswer(span)?.value;
  switch (kind) {
    case "number":
      return canonicalNumber(span);
    case "choice":
      return canonicalChoice(span);
    case "date":
      return canonicalDate(span);
    case "text":
      return canonicalText(span);
    case "literal":
      return canonicalLiteral(span) ?? (span.replace(/\s+/g, " ").trim() || undefined);
  }
}
