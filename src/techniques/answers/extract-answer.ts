import type { AnswerKind } from "./answer-kind.ts";
import { canonicalChoice, lastChoice } from "./canonical-choice.ts";
import { canonicalDate, lastDate, sentenceDate } from "./canonical-date.ts";
import { isLiteral } from "./canonical-literal.ts";
import { canonicalNumber, lastNumber, numbersIn } from "./canonical-number.ts";
import { classifyAnswer } from "./classify-answer.ts";
import { boxedContents } from "./latex.ts";

const MARKER =
  /\b(final\s+)?answer(?:\s*\*\*)?(?:\s*\([^)\n]*\))?\s*(?:is\b|was\b|would\s+be\b|will\s+be\b|must\s+be\b|should\s+be\b|[:：=])(?:\s*[:：])?(?:\s*\*\*)?[ \t]*/gi;

/**
 * The final answer span of a full response ("The answer is X", "Answer: X", last line "A: X",
 * \boxed{X}, "#### X", final-line fallbacks), or undefined. Explicit answers are tried in that order
 * of trust (\boxed, ####, "final answer", "answer", "A:"), the last occurrence first; a typed kind
 * skips explicit spans that do not hold its type. Without an explicit answer: the last number
 * (`number`), choice, date or literal; the final line (`text`); for `auto`, the final line, or the
 * last date in it when the line is a sentence, else its last number. `regex:` takes the last match's first group.
 */
export function extractAnswer(text: string, kind: AnswerKind = "auto"): string | undefined {
  const t = text.replace(/\r\n?/g, "\n");
  if (typeof kind === "object") {
    const matches = [...t.matchAll(new RegExp(kind.regex.source, kind.regex.flags.replace("g", "") + "g"))];
    const last = matches.at(-1);
    return last ? (last[1] ?? last[0]).trim() || undefined : undefined;
  }
  const groups = explicitCandidates(t);
  if (kind === "auto") {
    // The most trusted kind of marker present decides; within it, a typed span beats a later text one.
    const group = groups.find((g) => g.length > 0);
    if (group) return group.find((span) => classifyAnswer(span)?.kind !== "text") ?? typedPart(group[0]!);
  } else {
    const accepts = acceptors[kind];
    for (const group of groups) {
      const hit = group.find(accepts);
      if (hit) return hit;
    }
  }
  return fallback(t, kind);
}

/**
 * The typed answer inside an explicit span that reads as text: a number or choice with its reason
 * after it ("18 because ...", "18 (9 eggs × $2)", "B, which is 42"), or the one number of a sentence
 * ("Janet makes **$18** every day"), so that they vote and score like a bare "18". A span with
 * several numbers and no typed head ("3 hours and 20 minutes") stays text.
 */
function typedPart(span: string): string {
  const head = span.split(/\s*(?:\([^()]*\)\s*$|[,;:]?\s+(?:because|since|as|given|which|so)\b)/i)[0]!.trim();
  if (head && head !== span && classifyAnswer(head)?.kind !== "text") return head;
  // A date is read before its numbers, so "today is 05/30/2021" is not the number 5.
  const date = sentenceDate(span);
  if (date) return date;
  const numbers = numbersIn(span);
  return numbers.length === 1 ? numbers[0]! : span;
}

const acceptors: Record<Exclude<AnswerKind, object | "auto">, (span: string) => boolean> = {
  number: (s) => canonicalNumber(s) !== undefined,
  choice: (s) => canonicalChoice(s) !== undefined,
  date: (s) => canonicalDate(s) !== undefined,
  literal: (s) => isLiteral(s),
  text: (s) => s.length > 0,
};

/** Explicit answers by trust, each group's last occurrence first. */
function explicitCandidates(t: string): string[][] {
  const boxed = boxedContents(t);
  const hashes = [...t.matchAll(/^[ \t]*####[ \t]*(.+)$/gm)].map((m) => m[1]!);
  const final: string[] = [];
  const plain: string[] = [];
  for (const m of t.matchAll(MARKER)) (m[1] ? final : plain).push(afterMarker(t, m.index! + m[0].length));
  const aLines = [...t.matchAll(/^[ \t]*A[ \t]*[:：][ \t]*(.+)$/gm)].map((m) => m[1]!);
  return [boxed, hashes, final, plain, aLines].map((g) =>
    g
      .map(cleanSpan)
      .filter((s) => s.length > 0)
      .reverse(),
  );
}

/** The rest of the line after a marker, or the next non-empty line (or fenced block) when it is empty. */
function afterMarker(t: string, from: number): string {
  const rest = t.slice(from);
  const fence = /^\s*```[\w-]*\n([\s\S]*?)```/.exec(rest);
  if (fence) return fence[1]!.trim();
  const line = rest.split("\n", 1)[0]!;
  if (line.trim()) return line;
  return rest.split("\n").find((l) => l.trim()) ?? "";
}

/** Cuts a span to its first sentence and strips markdown emphasis and trailing punctuation. */
function cleanSpan(span: string): string {
  let s = span.trim();
  // Literals may hold ". " inside quotes or brackets; other spans end at the first sentence end.
  // An abbreviation ("Aug. 3, 1997", "Dr. Smith") does not end the sentence.
  if (!/^[[({'"`]/.test(s))
    s = s.split(
      /(?<=[^\s.][.!?])(?<!\b(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec|mrs?|ms|dr|st|no|vs)\.)\s+(?=\S)/i,
    )[0]!;
  for (let previous = ""; previous !== s;) {
    previous = s;
    s = s
      .replace(/^(__)([\s\S]*)\1$/, "$2")
      .replace(/^\*+|\*+$/g, "")
      .replace(/[.,;!]+$/, "")
      .trim();
  }
  return s;
}

function finalLine(t: string): string | undefined {
  const lines = t
    .split("\n")
    .map((l) => l.replace(/^\s*(?:[-*>]|#+)\s+/, "").trim())
    .filter(Boolean);
  return lines.at(-1);
}

function fallback(t: string, kind: Exclude<AnswerKind, object>): string | undefined {
  switch (kind) {
    case "number":
      return lastNumber(t);
    case "choice":
      return lastChoice(t);
    case "date":
      return lastDate(t);
    case "text":
      return finalLine(t);
    case "literal": {
      const whole = t.trim();
      if (whole && isLiteral(whole)) return whole;
      const lines = t
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean);
      for (let i = lines.length - 1; i >= 0; i--) {
        const line = lines[i]!.replace(/^.*?==\s*/, "");
        if (isLiteral(line)) return line;
        // A sentence ending in a container: "The output is {'a': 1}".
        const container = /[[({][\s\S]*$/.exec(line)?.[0].replace(/[.;]$/, "");
        if (container && isLiteral(container)) return container;
      }
      return lines.at(-1);
    }
    case "auto": {
      const whole = t.trim();
      if (whole.includes("\n") && /^[[({]/.test(whole) && classifyAnswer(whole)?.kind === "literal") return whole;
      const line = finalLine(t);
      if (!line || classifyAnswer(line)?.kind !== "text") return line;
      // A closing sentence answers with its last date ("Today is 05/30/2021."), else its last number
      // ("She makes $18 every day.").
      return sentenceDate(line) ?? lastNumber(line) ?? line;
    }
  }
}
