/*
 * Multiple-choice letters: "(B)", "B)", "b", "[B]", "Option B", "choice (b): Paris", "(B) Paris" all
 * become "B". A bare letter followed by words ("A dog") counts only when the kind is `choice`.
 */

const ALONE = /^(?:(?:option|choice|letter)\s*)?[([]?([a-z])[)\]]?[.:]?$/i;
const WITH_TEXT = /^(?:(?:option|choice)\s*[([]?([a-z])[)\]]?[.:)]?|\(([a-z])\)|\[([a-z])\]|([a-z])\))\s+\S/i;

function clean(span: string): string {
  return span
    .replace(/\*\*|__|`/g, "")
    .replace(/\\(?:text|textbf|mathrm)\s*\{([^{}]*)\}/g, "$1")
    .replace(/^\$+|\$+$/g, "")
    .trim()
    .replace(/[.;,!]+$/, "")
    .trim();
}

/**
 * The choice letter of a span, upper-cased. `strict` accepts only spans that clearly are a choice
 * (a lone letter, "(B) text", "B) text", "Option B"); otherwise the first clear mention, or a
 * leading capital letter ("B because ...").
 */
export function canonicalChoice(span: string, options: { strict?: boolean } = {}): string | undefined {
  const s = clean(span);
  const m = ALONE.exec(s) ?? WITH_TEXT.exec(s);
  if (m) return (m[1] ?? m[2] ?? m[3] ?? m[4])!.toUpperCase();
  if (options.strict) return undefined;
  const mention = /\(([A-Za-z])\)|\b(?:option|choice)\s*[([]?([A-Za-z])\b/i.exec(s);
  if (mention) return (mention[1] ?? mention[2])!.toUpperCase();
  const leading = /^([A-Z])(?=$|[\s.,:;)])/.exec(s);
  // "A dog..." / "I think..." read as an article or pronoun, not as a choice.
  if (leading && !/^[AI]\s+[a-z]/.test(s)) return leading[1];
  return undefined;
}

/** The last clear choice mention in a text: a final line that is (or opens with) a choice, else the last "(X)" or "option X". */
export function lastChoice(text: string): string | undefined {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const final = lines.at(-1);
  // A final line that is a choice, or opens with one and its text ("C. Paris", "**C. Paris**").
  if (final && (canonicalChoice(final, { strict: true }) || /^[*_]*[A-Z][.:][*_]*\s+\S/.test(final))) return final;
  const mentions = [...text.matchAll(/\([A-Z]\)|\b(?:option|choice)\s*[([]?[A-Za-z]\b[)\]]?/gi)];
  return mentions.at(-1)?.[0];
}
