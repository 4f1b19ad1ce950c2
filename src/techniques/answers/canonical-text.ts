const QUOTES = `"'\`“”‘’«»„`;
const EDGE = new RegExp(`^[\\s${QUOTES}*_.,;:!?]+|[\\s${QUOTES}*_.,;:!?]+$`, "g");

/**
 * Short free-text answers compare ignoring case, Unicode width forms, runs of whitespace, and quotes,
 * markdown emphasis and punctuation around them: "**Paris.**" = "paris" = "“Paris”".
 */
export function canonicalText(span: string): string | undefined {
  const s = span
    .normalize("NFKC")
    .replace(/\\text\s*\{([^{}]*)\}/g, "$1")
    .replace(/\s+/g, " ")
    .replace(EDGE, "")
    .toLowerCase();
  return s || undefined;
}
