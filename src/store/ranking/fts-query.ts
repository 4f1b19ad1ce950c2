/** Words too common to help a ranking; dropped unless the query has nothing else. */
const STOP_WORDS = new Set(
  (
    "a an and are as at be but by can could did do does for from had has have how i if in into is it its of on or our so " +
    "such than that the their then there these they this those to was we were what when where which who whom why will with would you your"
  ).split(" "),
);

/** At most this many terms go into one MATCH: long pasted questions stay fast. */
const MAX_TERMS = 32;

/**
 * Turns free user text into a safe FTS5 MATCH expression: its words, each quoted as a string (so
 * quotes, `-`, `:`, `*`, `^`, parentheses and the operators AND/OR/NOT/NEAR are plain text), joined
 * by OR so that BM25 ranks passages by how many and how rare of the words they share. Returns
 * undefined when the text has no words.
 */
export function ftsQuery(text: string): string | undefined {
  const terms = queryTerms(text);
  return terms.length === 0 ? undefined : terms.map((w) => `"${w}"`).join(" OR ");
}

/** The words of free user text that a lexical search uses (lower case, stop words dropped, at most 32). */
export function queryTerms(text: string): string[] {
  const words = [...new Set((text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length > 0))];
  const useful = words.filter((w) => !STOP_WORDS.has(w));
  return (useful.length > 0 ? useful : words).slice(0, MAX_TERMS);
}
