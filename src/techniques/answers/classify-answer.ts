import { canonicalChoice } from "./canonical-choice.ts";
import { canonicalDate } from "./canonical-date.ts";
import { canonicalLiteral } from "./canonical-literal.ts";
import { canonicalNumber } from "./canonical-number.ts";
import { canonicalText } from "./canonical-text.ts";

export type ConcreteKind = "choice" | "date" | "number" | "literal" | "text";

/**
 * What an answer span is, for `auto`: a choice letter, a date, a number (units allowed), a container
 * or boolean literal, or else text. Each test needs the whole span to be that thing, so "5 apples
 * and 3 oranges" stays text; "3 + 4 = 7" is judged by what follows the last "=".
 */
export function classifyAnswer(span: string): { kind: ConcreteKind; value: string } | undefined {
  const s = span.trim();
  if (!s) return undefined;
  const choice = canonicalChoice(s, { strict: true });
  if (choice) return { kind: "choice", value: choice };
  const date = canonicalDate(s, { strict: true });
  if (date) return { kind: "date", value: date };
  const number = canonicalNumber(s, { strict: true });
  if (number) return { kind: "number", value: number };
  // Quoted strings stay text, so 'Paris' and Paris agree; containers and booleans are literals.
  if (/^[[({]|^(?:True|False|None|true|false|null)$/.test(s)) {
    const literal = canonicalLiteral(s);
    if (literal) return { kind: "literal", value: literal };
  }
  const eq = s.lastIndexOf("=");
  if (eq > 0 && eq < s.length - 1) {
    const after = classifyAnswer(s.slice(eq + 1));
    if (after && after.kind !== "text") return after;
  }
  const text = canonicalText(s);
  if (text === undefined) return undefined;
  // Stray quotes, emphasis or punctuation around a typed answer do not make it text: 'B', *B and ". (B)" are B.
  if (text !== s) {
    const bare = classifyAnswer(text);
    if (bare && bare.kind !== "text") return bare;
  }
  return { kind: "text", value: text };
}
