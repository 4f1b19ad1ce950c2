// "1. x", "1) x", "(1) x", "**1.** x", "Q1: x", "Subquestion 1: x", "Step 1 - x"
const numbered =
  /^\s*(?:[-*•]\s*)?[*_]*\(?(?:(?:sub-?\s*)?(?:question|problem)\s*|q\s*|step\s*)?(\d{1,2})\s*[.):\]-][*_]*\s+(.+)$/i;
const bulleted = /^\s*[-*•]\s+(.+)$/;

/**
 * The subquestions of a decomposition, in order, at most `max`: numbered items when there are any,
 * else bullet items, else lines ending in "?". Markdown emphasis is removed, repeats are dropped,
 * and a preamble ("Here are the subquestions:") is ignored.
 */
export function parseSubquestions({ text, max }: { text: string; max: number }): string[] {
  const lines = text.split("\n");
  const pick = (pattern: RegExp, group: number) =>
    lines.map((l) => pattern.exec(l)?.[group]).filter((x): x is string => x !== undefined);
  let items = pick(numbered, 2);
  if (items.length === 0) items = pick(bulleted, 1);
  if (items.length === 0) items = lines.filter((l) => l.trim().endsWith("?"));
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of items) {
    const item = raw
      .replace(/[*_`]{1,3}([^*_`]+)[*_`]{1,3}/g, "$1")
      .replace(/^[*_\s]+|[*_\s]+$/g, "")
      .trim();
    const key = item.toLowerCase();
    if (!item || seen.has(key)) continue;
    seen.add(key);
    out.push(item);
    if (out.length === max) break;
  }
  return out;
}
